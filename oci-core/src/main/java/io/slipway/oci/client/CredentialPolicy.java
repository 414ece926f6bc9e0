package io.slipway.oci.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;

/**
 * The one rule every Slipway client follows before a credential leaves the process ("credentials stay
 * home"): the registry client, the management client, the Jib build step, JGit's pushes and clones, and
 * through them the CLI, Jenkins and Tekton.
 * <ul>
 *   <li>a credential (an {@code Authorization} header, a Basic password, a Git token) goes over plain HTTP only
 *       to a loopback address ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}); anywhere else it would cross
 *       the network readable, so the request is refused before anything is sent;</li>
 *   <li>a redirect to another origin (scheme, host, port) carries no {@code Authorization}: a pre-signed object-store
 *       URL or a forge's mirror must not see the registry's token or the Git password;</li>
 *   <li>a redirect from HTTPS to plain HTTP is refused outright.</li>
 * </ul>
 * Clients built on {@link java.net.http.HttpClient} build theirs with {@link HttpClient.Redirect#NEVER} and send
 * through {@link #send}, which follows redirects by these rules.
 */
public final class CredentialPolicy {
    /** The hosts a secret may go to over plain HTTP, as messages and the docs name them. */
    public static final String LOOPBACK_HOSTS = "localhost, 127.0.0.1 (any 127.x.y.z) or [::1]";

    static final int MAX_REDIRECTS = 5;

    private CredentialPolicy() {
    }

    /** {@code scheme://host:port}, lower case, with the scheme's default port spelled out. */
    public static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + ":" + port;
    }

    public static boolean sameOrigin(URI a, URI b) {
        return origin(a).equals(origin(b));
    }

    /**
     * True for {@code localhost} and literal loopback addresses. A literal address is parsed, never looked up;
     * any other name is not trusted to be loopback (a DNS answer could say otherwise tomorrow).
     */
    public static boolean isLoopback(URI uri) {
        return isLoopbackHost(uri.getHost());
    }

    public static boolean isLoopbackHost(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        boolean literal = host.matches("[0-9.]+") || host.startsWith("[") || host.contains(":");
        if (!literal) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** True when a credential may be sent to this address: HTTPS, or plain HTTP to loopback. */
    public static boolean safeForCredentials(URI uri) {
        return "https".equalsIgnoreCase(uri.getScheme()) || ("http".equalsIgnoreCase(uri.getScheme()) && isLoopback(uri));
    }

    /** Refuses, before anything is sent, a credential bound for plain HTTP off this machine. */
    public static void requireSafeForCredentials(URI uri) throws IOException {
        if (!safeForCredentials(uri)) {
            throw new IOException("refusing to send credentials over plain HTTP to " + origin(uri)
                    + ": use https:// (only a loopback address — " + LOOPBACK_HOSTS + " — may be reached over http:// with credentials)");
        }
    }

    /** Refuses a redirect from HTTPS to anything but HTTPS. */
    public static void requireNoDowngrade(URI from, URI to) throws IOException {
        if ("https".equalsIgnoreCase(from.getScheme()) && !"https".equalsIgnoreCase(to.getScheme())) {
            throw new IOException("refusing a redirect from " + origin(from) + " to plain " + origin(to));
        }
    }

    /**
     * The request a redirect asks for: another origin gets no {@code Authorization}; HTTPS never becomes HTTP;
     * 301/302/303 after a POST or PUT fetch the new location with GET, as browsers and the JDK do.
     */
    public static HttpRequest redirected(HttpRequest from, URI to, int status) throws IOException {
        requireNoDowngrade(from.uri(), to);
        boolean sameOrigin = sameOrigin(from.uri(), to);
        HttpRequest.Builder b = HttpRequest.newBuilder(from,
                (name, value) -> sameOrigin || !name.equalsIgnoreCase("Authorization")).uri(to);
        boolean keepMethod = status == 307 || status == 308 || from.method().equals("GET") || from.method().equals("HEAD");
        if (!keepMethod) {
            b.GET();
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static <T> HttpResponse.BodySubscriber<T> discarding() {
        // A redirect's own body is not what the caller asked for (it may be writing a file): drop it.
        return (HttpResponse.BodySubscriber<T>) HttpResponse.BodySubscribers.replacing(null);
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * Sends a request through a client that follows no redirects itself, following up to five by the rules above;
     * every hop that carries {@code Authorization} is checked by {@link #requireSafeForCredentials} first.
     */
    public static <T> HttpResponse<T> send(HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            // The JDK's own redirects keep Authorization across origins: fail closed rather than trust it.
            throw new IllegalStateException("CredentialPolicy.send needs an HttpClient built with Redirect.NEVER");
        }
        HttpRequest current = request;
        for (int hops = 0; ; hops++) {
            if (current.headers().firstValue("Authorization").isPresent()) {
                requireSafeForCredentials(current.uri());
            }
            HttpResponse<T> r = http.send(current, info -> isRedirect(info.statusCode())
                    && info.headers().firstValue("Location").isPresent() ? discarding() : body.apply(info));
            if (!isRedirect(r.statusCode()) || r.headers().firstValue("Location").isEmpty()) {
                return r;
            }
            if (hops == MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + request.uri());
            }
            current = redirected(current, current.uri().resolve(r.headers().firstValue("Location").get()), r.statusCode());
        }
    }
}
