package io.slipway.registry.listen;

import io.slipway.registry.http.FileRegionEndPoint;
import io.slipway.registry.tls.ReloadingTls;
import io.slipway.registry.tls.TlsFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The registry's listeners on one Jetty server: the registry listener (plain HTTP with the sendfile
 * blob path, or HTTPS with HTTP/2 and HTTP/1.1 over ALPN) and, when configured, the admission
 * webhook's own HTTPS listener; the handler tree that sends each listener's requests to its own
 * handlers; and the limits every connection lives under.
 */
public final class Listeners implements AutoCloseable {
    /** How often the TLS files are compared with what is loaded. */
    static final long TLS_CHECK_MILLIS = 2000;
    private static final int INPUT_BUFFER = 512 * 1024;

    private final Server server;
    private final ListenerSettings settings;
    private final List<ReloadingTls> tls = new ArrayList<>();
    private ServerConnector registry;
    private ServerConnector admission;

    public Listeners(Server server, ListenerSettings settings) {
        this.server = server;
        this.settings = settings;
    }

    /** The registry listener on {@code host:port}; HTTPS when {@code tls} is configured. */
    public ServerConnector registry(String host, int port) throws IOException {
        HttpConfiguration http = base();
        http.addCustomizer(new TrustedProxies(settings.trustedProxies()));
        if (settings.tls() == null) {
            HttpConnectionFactory http1 = new HttpConnectionFactory(http);
            // Large reads: an upload is received in few big chunks rather than many 8 KiB ones, each
            // of which would cost a wake-up of the handler thread.
            http1.setInputBufferSize(INPUT_BUFFER);
            registry = FileRegionEndPoint.connector(server, http1);
        } else {
            registry = https(http, settings.tls());
        }
        return place(registry, "registry", host, port);
    }

    /** The admission webhook's listener, always HTTPS; null when none is configured. */
    public ServerConnector admission() throws IOException {
        ListenerSettings.Admission a = settings.admission();
        if (a == null) {
            return null;
        }
        admission = https(base(), a.tls());
        return place(admission, "admission", a.host(), a.port());
    }

    private ServerConnector place(ServerConnector c, String name, String host, int port) {
        c.setName(name);
        c.setHost(host);
        c.setPort(port);
        c.setAcceptQueueSize(1024);
        c.setIdleTimeout(settings.connections().idleTimeout().toMillis());
        c.addBean(new HeaderTimeout(settings.connections().headerTimeout()));
        server.addConnector(c);
        return c;
    }

    private HttpConfiguration base() {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setOutputBufferSize(64 * 1024);
        http.setRequestHeaderSize(16 * 1024);
        // Paths a registry never names (encoded "..", "//", "%00", encoded "/") are refused by Jetty,
        // answered in the OCI error shape by http.OciErrorHandler.
        http.setUriCompliance(org.eclipse.jetty.http.UriCompliance.DEFAULT);
        http.setIdleTimeout(settings.connections().idleTimeout().toMillis());
        return http;
    }

    private ServerConnector https(HttpConfiguration http, TlsFiles files) throws IOException {
        ReloadingTls context = new ReloadingTls(files, TLS_CHECK_MILLIS);
        tls.add(context);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients reach the registry by names and addresses the certificate need not list in SNI.
        secure.setSniHostCheck(false);
        secure.setSniRequired(false);
        http.setSecureScheme("https");
        http.getCustomizers().add(0, secure);
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        http1.setInputBufferSize(INPUT_BUFFER);
        // Jetty's HTTP/2 defaults (1 MiB session / 512 KiB stream windows, 16 KiB frames, 8 KiB reads)
        // are kept on purpose: larger windows (2/4 and 8/16 MiB) and a 512 KiB input buffer were
        // measured slower for a 1 GiB curl push, and a lean HTTP/2 client (h2load) already pushes
        // faster over h2 than plain HTTP/1.1 does (docs/DESIGN.md, "HTTPS push over HTTP/2").
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http1.getProtocol());
        SslConnectionFactory ssl = new ReadAheadSsl(context.context(), alpn.getProtocol());
        return new ServerConnector(server, ssl, alpn, h2, http1);
    }

    /**
     * The server's handler: requests of the admission listener go to {@code admissionHandler}, all
     * others to {@code registryHandler}; request bodies slower than the minimum rate fail.
     */
    public Handler handler(Handler registryHandler, Handler admissionHandler) {
        Handler.Sequence byListener = new Handler.Sequence();
        byListener.addHandler(onListener(false, registryHandler));
        if (admissionHandler != null) {
            byListener.addHandler(onListener(true, admissionHandler));
        }
        long rate = settings.connections().minDataRate();
        return rate == 0 ? byListener : new MinimumReadRate(byListener, rate);
    }

    private Handler onListener(boolean admissionListener, Handler handler) {
        return new Handler.Wrapper(handler) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                boolean fromAdmission = admission != null && request.getConnectionMetaData().getConnector() == admission;
                return fromAdmission == admissionListener && super.handle(request, response, callback);
            }
        };
    }

    /** {@code handler} for requests under {@code prefix}, with bodies above {@code maxBytes} refused. */
    public static Handler route(String prefix, long maxBytes, Handler handler) {
        SizeLimitHandler limited = new SizeLimitHandler(maxBytes, -1);
        limited.setHandler(handler);
        return new Handler.Wrapper(limited) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return request.getHttpURI().getPath().startsWith(prefix) && super.handle(request, response, callback);
            }
        };
    }

    public ListenerSettings settings() {
        return settings;
    }

    /** Checks the TLS files now (tests and operators need not wait for the watcher). */
    public void reloadTls() {
        tls.forEach(ReloadingTls::check);
    }

    @Override
    public void close() {
        tls.forEach(ReloadingTls::close);
    }
}
