package io.slipway.registry.listen;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * Closes connections that dribble: a TLS handshake, or a request line and headers, still unfinished
 * after the header timeout. The idle timeout alone does not, since a byte every few seconds keeps a
 * connection busy forever; Jetty parses headers without a thread, so such connections cost sockets
 * and memory rather than threads, but a few hundred of them are still a denial of service.
 * Added to a connector as a bean, it hears of every connection the connector opens.
 */
public final class HeaderTimeout extends AbstractLifeCycle implements Connection.Listener {
    private final long limitNanos;
    private final Map<Connection, Watch> open = new ConcurrentHashMap<>();
    private ScheduledExecutorService ticker;

    /** When a connection was first seen mid-headers of its {@code messages}-th request. */
    private record Watch(long messages, long since) {
    }

    public HeaderTimeout(Duration timeout) {
        this.limitNanos = timeout.toNanos();
    }

    @Override
    protected void doStart() {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "header-timeout");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, TimeUnit.NANOSECONDS.toMillis(limitNanos) / 4);
        ticker.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        ticker.shutdownNow();
        open.clear();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection || connection instanceof SslConnection) {
            open.put(connection, new Watch(-1, System.nanoTime()));
        }
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    void sweep() {
        long now = System.nanoTime();
        open.replaceAll((c, w) -> {
            long messages;
            if (c instanceof SslConnection ssl) {
                if (!"NONE".equals(ssl.getSSLEngine().getSession().getProtocol())) {
                    return new Watch(-2, now); // handshake done: what follows is the HTTP connection's to judge
                }
                messages = 0;
            } else {
                HttpConnection http = (HttpConnection) c;
                if (http.getParser().isStart() || !http.getParser().inHeaderState()) {
                    return new Watch(-1, now); // between requests (the idle timeout's business) or in a body
                }
                messages = c.getMessagesIn();
            }
            if (w.messages() != messages) {
                return new Watch(messages, now);
            }
            if (now - w.since() > limitNanos) {
                c.getEndPoint().close();
            }
            return w;
        });
        open.entrySet().removeIf(e -> e.getValue().messages() == -2);
    }
}
