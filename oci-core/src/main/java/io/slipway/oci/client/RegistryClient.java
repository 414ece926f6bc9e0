package io.slipway.oci.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small OCI Distribution client: blobs (HEAD, GET, monolithic upload) and manifests (GET, HEAD,
 * PUT) by tag or digest, with the Docker token flow. A request goes out with the token cached for
 * its scope; on 401 the {@code WWW-Authenticate} challenge names the realm, and a token is got there
 * with the Basic credentials and cached per scope, so a run of calls on one repository costs one
 * token request.
 *
 * <p>Credentials stay home: redirects are followed here, not by the HTTP client, so that {@code Authorization}
 * is dropped when one leads to another origin (the pre-signed object-store URL a blob GET is redirected to)
 * and a redirect from HTTPS to HTTP is refused; and credentials (Basic, or a token got with them) are never
 * sent over plain HTTP except to a loopback address.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT_MANIFESTS = String.join(",", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    private final String base;
    private final String user;
    private final String secret;
    private final HttpClient http;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    /**
     * @param registryUrl {@code http(s)://host:port}
     * @param user        Basic user for the token realm ({@code iamapikey}), or null for anonymous
     * @param secret      its password or API key
     */
    public RegistryClient(String registryUrl, String user, String secret) {
        this.base = registryUrl.replaceAll("/+$", "");
        this.user = user;
        this.secret = secret;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String registryUrl() {
        return base;
    }

    /** True when the repository holds the blob. */
    public boolean blobExists(String repository, Digest digest) throws IOException {
        HttpResponse<byte[]> r = send(repository, false, get("/v2/" + repository + "/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() == 404) {
            return false;
        }
        check(r, "HEAD blob " + digest);
        return true;
    }

    public byte[] blob(String repository, Digest digest) throws IOException {
        HttpResponse<byte[]> r = send(repository, false, get("/v2/" + repository + "/blobs/" + digest));
        check(r, "GET blob " + digest);
        if (!digest.matches(r.body())) {
            throw new IOException("blob " + digest + " from " + repository + " does not match its digest");
        }
        return r.body();
    }

    /** Uploads the blob in one request ({@code POST …/blobs/uploads/?digest=}) unless it is there. */
    public Digest uploadBlob(String repository, byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        if (blobExists(repository, digest)) {
            return digest;
        }
        HttpResponse<byte[]> r = send(repository, true,
                get("/v2/" + repository + "/blobs/uploads/?digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8))
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
        if (r.statusCode() == 202) {
            // The registry declined the monolithic form and opened a session: finish it with one PUT.
            String location = r.headers().firstValue("Location")
                    .orElseThrow(() -> new IOException("upload session without a Location header"));
            URI target = URI.create(base + "/").resolve(location);
            String sep = target.getQuery() == null ? "?" : "&";
            r = send(repository, true, HttpRequest.newBuilder(URI.create(target + sep + "digest="
                            + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8)))
                    .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        }
        check(r, "upload blob " + digest);
        return digest;
    }

    /** The manifest for a tag or digest, or null when there is none. */
    public FetchedManifest manifest(String repository, String reference) throws IOException {
        HttpResponse<byte[]> r = send(repository, false,
                get("/v2/" + repository + "/manifests/" + reference).header("Accept", ACCEPT_MANIFESTS));
        if (r.statusCode() == 404) {
            return null;
        }
        check(r, "GET manifest " + repository + ":" + reference);
        Digest digest = Digest.sha256(r.body());
        if (Digest.looksLikeDigest(reference) && !Digest.parse(reference).matches(r.body())) {
            throw new IOException("manifest " + reference + " does not match its digest");
        }
        String type = MediaTypes.strip(r.headers().firstValue("Content-Type").orElse(MediaTypes.OCI_MANIFEST));
        return new FetchedManifest(r.body(), type, digest);
    }

    /** The digest a tag (or digest) resolves to, or null when there is none. */
    public Digest manifestDigest(String repository, String reference) throws IOException {
        HttpResponse<byte[]> r = send(repository, false, get("/v2/" + repository + "/manifests/" + reference)
                .header("Accept", ACCEPT_MANIFESTS).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() == 404) {
            return null;
        }
        check(r, "HEAD manifest " + repository + ":" + reference);
        return r.headers().firstValue("Docker-Content-Digest").map(Digest::parse)
                .orElseThrow(() -> new IOException("the registry sent no Docker-Content-Digest"));
    }

    /** Stores a manifest under a tag or its digest; returns its digest. */
    public Digest putManifest(String repository, String reference, byte[] manifest, String mediaType) throws IOException {
        HttpResponse<byte[]> r = send(repository, true, get("/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        check(r, "PUT manifest " + repository + ":" + reference);
        return Digest.sha256(manifest);
    }

    /**
     * The Red Hat simple-signing signatures of a manifest, through the signature extension API
     * ({@code GET /extensions/v2/<name>/signatures/<digest>}), as the signed messages' bytes.
     */
    public java.util.List<byte[]> simpleSignatures(String repository, Digest manifest) throws IOException {
        HttpResponse<byte[]> r = send(repository, false, get("/extensions/v2/" + repository + "/signatures/" + manifest));
        if (r.statusCode() == 404) {
            return java.util.List.of();
        }
        check(r, "GET signatures of " + repository + "@" + manifest);
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        for (JsonNode sig : JSON.readTree(r.body()).path("signatures")) {
            out.add(Base64.getDecoder().decode(sig.path("content").asText()));
        }
        return out;
    }

    /** Adds one simple-signing signature through the extension API; {@code name} tells it apart. */
    public void putSimpleSignature(String repository, Digest manifest, String name, byte[] signedMessage) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.put("schemaVersion", 2);
        body.put("type", "atomic");
        body.put("name", name);
        body.put("content", Base64.getEncoder().encodeToString(signedMessage));
        HttpResponse<byte[]> r = send(repository, true, get("/extensions/v2/" + repository + "/signatures/" + manifest)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        check(r, "PUT signature of " + repository + "@" + manifest);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5));
    }

    private static String scope(String repository, boolean push) {
        return "repository:" + repository + (push ? ":pull,push" : ":pull");
    }

    private HttpResponse<byte[]> send(String repository, boolean push, HttpRequest.Builder request) throws IOException {
        String scope = scope(repository, push);
        String token = tokens.get(scope);
        HttpRequest built = request.build();
        if (user != null) {
            requireSafeForCredentials(built.uri()); // before anything is sent: the token would be got with them
        }
        HttpResponse<byte[]> r = exchange(token == null ? built : withToken(built, token));
        if (r.statusCode() != 401) {
            return r;
        }
        BearerChallenge challenge = BearerChallenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
        if (challenge == null) {
            return r;
        }
        token = fetchToken(challenge, scope);
        tokens.put(scope, token);
        return exchange(withToken(built, token));
    }

    private static HttpRequest withToken(HttpRequest request, String token) {
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Authorization"))
                .header("Authorization", "Bearer " + token).build();
    }

    private String fetchToken(BearerChallenge challenge, String scope) throws IOException {
        StringBuilder url = new StringBuilder(challenge.realm());
        url.append(challenge.realm().contains("?") ? '&' : '?');
        if (challenge.service() != null) {
            url.append("service=").append(URLEncoder.encode(challenge.service(), StandardCharsets.UTF_8)).append('&');
        }
        // Our own scope, not the challenge's: a push asks pull,push even when a HEAD was refused first.
        url.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30)).GET();
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> r = exchange(b.build());
        if (r.statusCode() != 200) {
            throw new RegistryException(r.statusCode(), "the token service refused the credentials (HTTP "
                    + r.statusCode() + ")");
        }
        JsonNode body = JSON.readTree(r.body());
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new IOException("the token service answered without a token");
        }
        return token;
    }

    private static final int MAX_REDIRECTS = 5;

    private HttpResponse<byte[]> exchange(HttpRequest request) throws IOException {
        HttpRequest current = request;
        for (int hops = 0; ; hops++) {
            if (user != null && current.headers().firstValue("Authorization").isPresent()) {
                requireSafeForCredentials(current.uri());
            }
            HttpResponse<byte[]> r = exchangeOnce(current);
            int status = r.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect || r.headers().firstValue("Location").isEmpty()) {
                return r;
            }
            if (hops == MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + request.uri());
            }
            current = redirected(current, current.uri().resolve(r.headers().firstValue("Location").get()), status);
        }
    }

    /** The request a redirect asks for: another origin gets no {@code Authorization}; HTTPS never becomes HTTP. */
    static HttpRequest redirected(HttpRequest from, URI to, int status) throws IOException {
        if ("https".equalsIgnoreCase(from.uri().getScheme()) && !"https".equalsIgnoreCase(to.getScheme())) {
            throw new IOException("refusing a redirect from " + origin(from.uri()) + " to plain " + origin(to));
        }
        boolean sameOrigin = origin(from.uri()).equals(origin(to));
        HttpRequest.Builder b = HttpRequest.newBuilder(from,
                (name, value) -> sameOrigin || !name.equalsIgnoreCase("Authorization")).uri(to);
        boolean keepMethod = status == 307 || status == 308 || from.method().equals("GET") || from.method().equals("HEAD");
        if (!keepMethod) {
            b.GET(); // 301/302/303 after a POST or PUT: fetch the new location, as browsers and the JDK do
        }
        return b.build();
    }

    /** scheme://host:port, lower case, with the scheme's port spelled out. */
    static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
        return scheme + "://" + host + ":" + port;
    }

    /** Credentials over plain HTTP only to this machine: anywhere else they would cross the network readable. */
    static void requireSafeForCredentials(URI uri) throws IOException {
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            return;
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean loopback = host.equalsIgnoreCase("localhost");
        if (!loopback) {
            try {
                // A literal address is parsed, never looked up: a name other than localhost is not trusted here.
                loopback = (host.matches("[0-9.]+") || host.startsWith("["))
                        && java.net.InetAddress.getByName(host).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                loopback = false;
            }
        }
        if (!loopback) {
            throw new IOException("refusing to send credentials over plain HTTP to " + origin(uri)
                    + ": use https:// (only a loopback address may be reached over http:// with credentials)");
        }
    }

    private HttpResponse<byte[]> exchangeOnce(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new RegistryUnreachableException("cannot reach the registry at " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void check(HttpResponse<byte[]> r, String what) throws RegistryException {
        int status = r.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String detail = "";
        try {
            JsonNode error = JSON.readTree(r.body()).path("errors").path(0);
            detail = ": " + error.path("code").asText() + " " + error.path("message").asText();
        } catch (IOException | RuntimeException ignored) {
            // not the OCI error shape; the status says enough
        }
        throw new RegistryException(status, what + " failed with HTTP " + status + detail);
    }
}
