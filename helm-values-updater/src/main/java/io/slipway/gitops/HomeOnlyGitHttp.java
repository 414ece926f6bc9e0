package io.slipway.gitops;

import io.slipway.oci.client.CredentialPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;

/**
 * JGit's HTTP transport held to {@link CredentialPolicy}, so a Git token or password stays home as the registry
 * credentials do. JGit follows a remote's redirects itself and keeps the authentication it chose for the first
 * origin; two guards, each enough alone, keep the secret from another origin:
 * <ul>
 *   <li>the {@link CredentialsProvider} answers only for the remote's own origin, so JGit has nothing to send
 *       when a redirected request is challenged;</li>
 *   <li>every connection drops an {@code Authorization} header bound for another origin, and refuses one bound
 *       for plain HTTP off this machine (a redirect that would carry the Basic header JGit already chose).</li>
 * </ul>
 */
final class HomeOnlyGitHttp {
    private HomeOnlyGitHttp() {
    }

    /** The remote as a URI, or null when it is not an HTTP(S) URL (SSH, file, git://: no password travels). */
    static URI httpRemote(String remoteUrl) {
        if (remoteUrl == null || !(remoteUrl.regionMatches(true, 0, "http://", 0, 7)
                || remoteUrl.regionMatches(true, 0, "https://", 0, 8))) {
            return null;
        }
        try {
            return new URI(remoteUrl);
        } catch (URISyntaxException e) {
            throw new GitOpsException("not a valid remote URL: " + e.getMessage());
        }
    }

    /** A provider that answers only for {@code home}'s origin. */
    static CredentialsProvider provider(URI home, CredentialsProvider inner) {
        return new CredentialsProvider() {
            @Override
            public boolean isInteractive() {
                return false;
            }

            @Override
            public boolean supports(CredentialItem... items) {
                return inner.supports(items);
            }

            @Override
            public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
                URI asked = asUri(uri);
                if (asked == null || !CredentialPolicy.sameOrigin(home, asked) || !CredentialPolicy.safeForCredentials(asked)) {
                    return false; // JGit then fails the request as unauthorized instead of sending the secret away
                }
                return inner.get(uri, items);
            }

            @Override
            public void reset(URIish uri) {
                inner.reset(uri);
            }
        };
    }

    private static URI asUri(URIish uri) {
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            return null;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), "/", null, null);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Connections of {@code inner} that keep {@code Authorization} on {@code home}'s origin. */
    static HttpConnectionFactory connections(URI home, HttpConnectionFactory inner) {
        return new Factory(home, inner);
    }

    private record Factory(URI home, HttpConnectionFactory inner) implements HttpConnectionFactory2 {
        @Override
        public HttpConnection create(URL url) throws IOException {
            return new Guarded(home, url, inner.create(url));
        }

        @Override
        public HttpConnection create(URL url, Proxy proxy) throws IOException {
            return new Guarded(home, url, inner.create(url, proxy));
        }

        @Override
        public GitSession newSession() {
            GitSession session = inner instanceof HttpConnectionFactory2 f ? f.newSession() : null;
            return new GitSession() {
                @Override
                public HttpConnection configure(HttpConnection connection, boolean sslVerify)
                        throws IOException, GeneralSecurityException {
                    if (session != null && connection instanceof Guarded g) {
                        session.configure(g.inner, sslVerify); // the inner factory's session knows only its own class
                    } else if (session != null) {
                        session.configure(connection, sslVerify);
                    }
                    return connection;
                }

                @Override
                public void close() {
                    if (session != null) {
                        session.close();
                    }
                }
            };
        }
    }

    /** One connection: everything passes to JGit's own, except an {@code Authorization} that would leave home. */
    private static final class Guarded implements HttpConnection {
        private final HttpConnection inner;
        private final URI target;
        private final boolean home;

        Guarded(URI homeUri, URL url, HttpConnection inner) throws IOException {
            this.inner = inner;
            try {
                this.target = url.toURI();
            } catch (URISyntaxException e) {
                throw new IOException("not a valid URL: " + url, e);
            }
            this.home = CredentialPolicy.sameOrigin(homeUri, target);
        }

        @Override
        public void setRequestProperty(String key, String value) {
            if ("Authorization".equalsIgnoreCase(key)) {
                if (!home) {
                    return; // a redirect to another origin: the request goes without the secret
                }
                if (!CredentialPolicy.safeForCredentials(target)) {
                    throw new GitOpsException("refusing to send Git credentials over plain HTTP to "
                            + CredentialPolicy.origin(target) + ": use https:// (only a loopback address — "
                            + CredentialPolicy.LOOPBACK_HOSTS + " — may be reached over http:// with credentials)");
                }
            }
            inner.setRequestProperty(key, value);
        }

        @Override
        public int getResponseCode() throws IOException {
            return inner.getResponseCode();
        }

        @Override
        public URL getURL() {
            return inner.getURL();
        }

        @Override
        public String getResponseMessage() throws IOException {
            return inner.getResponseMessage();
        }

        @Override
        public Map<String, List<String>> getHeaderFields() {
            return inner.getHeaderFields();
        }

        @Override
        public void setRequestMethod(String method) throws ProtocolException {
            inner.setRequestMethod(method);
        }

        @Override
        public void setUseCaches(boolean usecaches) {
            inner.setUseCaches(usecaches);
        }

        @Override
        public void setConnectTimeout(int timeout) {
            inner.setConnectTimeout(timeout);
        }

        @Override
        public void setReadTimeout(int timeout) {
            inner.setReadTimeout(timeout);
        }

        @Override
        public String getContentType() {
            return inner.getContentType();
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return inner.getInputStream();
        }

        @Override
        public String getHeaderField(String name) {
            return inner.getHeaderField(name);
        }

        @Override
        public List<String> getHeaderFields(String name) {
            return inner.getHeaderFields(name);
        }

        @Override
        public int getContentLength() {
            return inner.getContentLength();
        }

        @Override
        public void setInstanceFollowRedirects(boolean followRedirects) {
            // JGit asks for none and follows them itself, through this factory again; never let the JDK follow one.
            inner.setInstanceFollowRedirects(false);
        }

        @Override
        public void setDoOutput(boolean dooutput) {
            inner.setDoOutput(dooutput);
        }

        @Override
        public void setFixedLengthStreamingMode(int contentLength) {
            inner.setFixedLengthStreamingMode(contentLength);
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return inner.getOutputStream();
        }

        @Override
        public void setChunkedStreamingMode(int chunklen) {
            inner.setChunkedStreamingMode(chunklen);
        }

        @Override
        public String getRequestMethod() {
            return inner.getRequestMethod();
        }

        @Override
        public boolean usingProxy() {
            return inner.usingProxy();
        }

        @Override
        public void connect() throws IOException {
            inner.connect();
        }

        @Override
        public void configure(KeyManager[] km, TrustManager[] tm, SecureRandom random)
                throws NoSuchAlgorithmException, KeyManagementException {
            inner.configure(km, tm, random);
        }

        @Override
        public void setHostnameVerifier(HostnameVerifier hostnameverifier)
                throws NoSuchAlgorithmException, KeyManagementException {
            inner.setHostnameVerifier(hostnameverifier);
        }
    }
}
