package io.slipway.registry.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.EventsHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Wraps the whole handler tree: gives every request its {@code X-Request-Id}, answers the probes
 * ({@code /healthz}, {@code /readyz}) and {@code /metrics}, and measures each request — by route
 * template, method and status, with its latency and body bytes — without the handlers below
 * knowing. With metrics off it only assigns request ids and answers the probes.
 */
public final class ObservedHandler extends EventsHandler {
    private static final Logger REQUESTS = LoggerFactory.getLogger("io.slipway.registry.requests");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXCHANGE = ObservedHandler.class.getName() + ".exchange";

    private final RegistryMetrics metrics;
    private final Readiness readiness;
    /** Where {@code /metrics} is served: null for the registry's own port, else a connector of its own. */
    private final Connector metricsConnector;
    /** The admission webhook's listener, if any: measured and given request ids, but it serves nothing else. */
    private final Connector webhookConnector;
    private final boolean logRequests;

    /** One request being measured. Written by the threads Jetty runs it on, one at a time. */
    private static final class Exchange {
        final String route;
        final String method;
        final String id;
        final long start = System.nanoTime();
        volatile long in;
        volatile long out;

        Exchange(String route, String method, String id) {
            this.route = route;
            this.method = method;
            this.id = id;
        }
    }

    /**
     * @param metrics          the metrics to record into, or null when metrics are off
     * @param metricsConnector the connector {@code /metrics} is served on alone, or null for every connector
     * @param webhookConnector the admission webhook's listener, which serves neither probes nor metrics, or null
     * @param logRequests      whether each request is logged when it completes (logger {@code io.slipway.registry.requests})
     */
    public ObservedHandler(Handler handler, RegistryMetrics metrics, Readiness readiness, Connector metricsConnector,
            Connector webhookConnector, boolean logRequests) {
        super(handler);
        this.webhookConnector = webhookConnector;
        this.metrics = metrics;
        this.readiness = readiness;
        this.metricsConnector = metricsConnector;
        this.logRequests = logRequests;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (metricsConnector != null && request.getConnectionMetaData().getConnector() == metricsConnector) {
            // The metrics listener serves metrics and the probes, nothing of the registry.
            if ("/metrics".equals(path)) {
                return scrape(request, response, callback);
            }
            if ("/healthz".equals(path) || "/readyz".equals(path)) {
                return probe(path, response, callback);
            }
            Response.writeError(request, response, callback, 404);
            return true;
        }
        String id = RequestIds.accept(request.getHeaders().get(RequestIds.HEADER));
        response.getHeaders().put(RequestIds.HEADER, id);
        boolean webhookListener = webhookConnector != null && request.getConnectionMetaData().getConnector() == webhookConnector;
        if (!webhookListener && ("/healthz".equals(path) || "/readyz".equals(path))) {
            return probe(path, response, callback);
        }
        if (!webhookListener && metrics != null && metricsConnector == null && "/metrics".equals(path)) {
            return scrape(request, response, callback);
        }
        if (metrics != null || logRequests) {
            request.setAttribute(EXCHANGE, new Exchange(RouteTemplates.of(path), RouteTemplates.method(request.getMethod()), id));
        }
        RequestIds.enter(id);
        MDC.put("requestId", id);
        try {
            return metrics != null || logRequests ? super.handle(request, response, callback)
                    : getHandler().handle(request, response, callback);
        } finally {
            MDC.remove("requestId");
            RequestIds.leave();
        }
    }

    @Override
    protected void onBeforeHandling(Request request) {
        if (metrics != null && request.getAttribute(EXCHANGE) instanceof Exchange e) {
            metrics.started(e.route);
        }
    }

    @Override
    protected void onRequestRead(Request request, Content.Chunk chunk) {
        if (chunk != null && request.getAttribute(EXCHANGE) instanceof Exchange e) {
            e.in += chunk.remaining();
        }
    }

    @Override
    protected void onResponseWrite(Request request, boolean last, ByteBuffer content) {
        if (content != null && request.getAttribute(EXCHANGE) instanceof Exchange e) {
            e.out += content.remaining();
        }
    }

    @Override
    protected void onComplete(Request request, int status, HttpFields headers, Throwable failure) {
        if (!(request.getAttribute(EXCHANGE) instanceof Exchange e)) {
            return;
        }
        long nanos = System.nanoTime() - e.start;
        if (metrics != null) {
            metrics.finished(e.route);
            metrics.request(e.route, e.method, status, nanos, e.in, e.out);
            if (e.route.equals("/token")) {
                metrics.token(status == 200);
            }
        }
        if (logRequests) {
            // The request's id as the other lines of the request carry it (MDC), and the rest as key-value
            // pairs: the server's JSON log (log.format json) makes each a field of the line's object.
            MDC.put("requestId", e.id);
            try {
                var line = REQUESTS.atInfo().addKeyValue("method", e.method).addKeyValue("route", e.route)
                        .addKeyValue("path", request.getHttpURI().getPath()).addKeyValue("status", status)
                        .addKeyValue("millis", nanos / 1_000_000).addKeyValue("bytesIn", e.in)
                        .addKeyValue("bytesOut", e.out).addKeyValue("remote", Request.getRemoteAddr(request));
                if (failure != null) {
                    line = line.addKeyValue("failure", failure.toString());
                }
                line.log("{} {} {} {} ms", e.method, request.getHttpURI().getPath(), status, nanos / 1_000_000);
            } finally {
                MDC.remove("requestId");
            }
        }
    }

    private boolean probe(String path, Response response, Callback callback) {
        ObjectNode body = JSON.createObjectNode();
        int status = 200;
        if (path.equals("/readyz")) {
            List<String> problems = readiness.problems();
            body.put("status", problems.isEmpty() ? "ready" : "not ready");
            problems.forEach(body.putArray("problems")::add);
            status = problems.isEmpty() ? 200 : 503;
        } else {
            body.put("status", "alive");
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }

    private boolean scrape(Request request, Response response, Callback callback) throws Exception {
        if (metrics == null) {
            Response.writeError(request, response, callback, 404);
            return true;
        }
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        metrics.scrape(accept, out);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType(accept));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.size());
        response.write(true, ByteBuffer.wrap(out.toByteArray()), callback);
        return true;
    }
}
