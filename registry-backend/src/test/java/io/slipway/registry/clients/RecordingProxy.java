package io.slipway.registry.clients;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A plain-HTTP reverse proxy in front of the registry that records every request a client makes:
 * method, path with query, how many body bytes it sent and the answer's status. The registry keeps
 * no request log, so this is how a test proves what a client did and did not send.
 */
final class RecordingProxy implements AutoCloseable {
    /** One request as it passed through. */
    record Exchange(String method, String pathAndQuery, long requestBytes, int status) {
        String path() {
            int q = pathAndQuery.indexOf('?');
            return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        }

        String query() {
            int q = pathAndQuery.indexOf('?');
            return q < 0 ? "" : pathAndQuery.substring(q + 1);
        }

        @Override
        public String toString() {
            return method + " " + pathAndQuery + " (" + requestBytes + " bytes) -> " + status;
        }
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "transfer-encoding", "keep-alive", "proxy-connection", "te", "trailer", "date");

    private final URI upstream;
    private final Server server;
    private final ServerConnector connector;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    /*
     * Jetty rather than the JDK's HttpServer: clients such as Jib try TLS first, and Jetty answers a
     * TLS hello at once with a 400, which makes them fall back to plain HTTP as against the
     * registry itself, where the JDK server would wait for a request line until the client's
     * read timeout.
     */
    RecordingProxy(URI upstream) throws Exception {
        this.upstream = upstream;
        this.server = new Server();
        this.connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                try {
                    forward(request, response, callback);
                } catch (Throwable e) {
                    callback.failed(e);
                }
                return true;
            }
        });
        server.start();
    }

    int port() {
        return connector.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT}, the registry host name clients use through the proxy. */
    String hostAndPort() {
        return "127.0.0.1:" + port();
    }

    List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    void clear() {
        exchanges.clear();
    }

    private void forward(Request in, Response out, Callback callback) throws Exception {
        String method = in.getMethod();
        String pathAndQuery = in.getHttpURI().getPathQuery();
        byte[] body = Content.Source.asInputStream(in).readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + pathAndQuery))
                .timeout(Duration.ofMinutes(2))
                .method(method, body.length == 0 && !hasBody(method)
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (HttpField field : in.getHeaders()) {
            if (!HOP_BY_HOP.contains(field.getLowerCaseName())) {
                request.header(field.getName(), field.getValue());
            }
        }
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        exchanges.add(new Exchange(method, pathAndQuery, body.length, response.statusCode()));

        out.setStatus(response.statusCode());
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> out.getHeaders().add(name, v));
            }
        });
        byte[] answer = response.body();
        response.headers().firstValue("Content-Length")
                .ifPresent(length -> out.getHeaders().put("Content-Length", length));
        if (method.equals("HEAD") || answer.length == 0) {
            callback.succeeded();
        } else {
            out.write(true, ByteBuffer.wrap(answer), callback);
        }
    }

    private static boolean hasBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
