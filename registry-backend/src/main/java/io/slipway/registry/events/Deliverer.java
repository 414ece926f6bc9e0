package io.slipway.registry.events;

import io.slipway.registry.observe.RegistryMetrics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox: claims due deliveries with a lease, POSTs each CloudEvent to its subscription's
 * URL signed with the subscription's secret, and records the outcome — delivered on a 2xx answer,
 * else retried after an exponential backoff and dead-lettered after {@code maxAttempts}. A
 * delivery is at least once: a node that dies after sending but before recording sends again
 * (receivers deduplicate by the event's {@code id}).
 *
 * <p>Every connection resolves the target's host through {@link TargetPolicy}, so only addresses
 * the policy allows are ever connected to, whatever the name resolves to by then.
 */
public final class Deliverer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);
    public static final String SIGNATURE_HEADER = "X-Slipway-Signature";
    public static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";
    private static final int BATCH = 16;
    private static final long POLL_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 3_600_000;

    private final WebhookStore store;
    private final TargetPolicy policy;
    private final String node;
    private final int maxAttempts;
    private final Duration backoff;
    private final Duration timeout;
    private final RegistryMetrics metrics;
    private final HttpClient http;
    private final ExecutorService senders;
    private final Thread loop;
    private final Object wakeUp = new Object();
    private volatile boolean closed;

    public Deliverer(WebhookStore store, TargetPolicy policy, String node, int maxAttempts, Duration backoff,
            Duration timeout, RegistryMetrics metrics) throws Exception {
        this.store = store;
        this.policy = policy;
        this.node = node;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.timeout = timeout;
        this.metrics = metrics;
        this.http = new HttpClient();
        http.setFollowRedirects(false); // a redirect is a failed delivery, never a way elsewhere
        http.setConnectTimeout(timeout.toMillis());
        http.setIdleTimeout(30_000);
        http.setSocketAddressResolver(new CheckedResolver());
        http.setUserAgentField(new org.eclipse.jetty.http.HttpField(org.eclipse.jetty.http.HttpHeader.USER_AGENT,
                "slipway-webhooks"));
        http.start();
        this.senders = Executors.newFixedThreadPool(BATCH, r -> {
            Thread t = new Thread(r, "webhook-sender");
            t.setDaemon(true);
            return t;
        });
        this.loop = new Thread(this::run, "webhook-deliverer");
        loop.setDaemon(true);
        loop.start();
    }

    /** Resolves a target's host to the addresses the policy allows, refusing the connection otherwise. */
    private final class CheckedResolver implements SocketAddressResolver {
        @Override
        public void resolve(String host, int port, java.util.Map<String, Object> context,
                Promise<List<InetSocketAddress>> promise) {
            try {
                promise.succeeded(policy.resolve(host).stream().map(a -> new InetSocketAddress(a, port)).toList());
            } catch (Exception e) {
                promise.failed(e);
            }
        }
    }

    /** An event was written to the outbox on this node: look now rather than at the next poll. */
    public void wake() {
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            try {
                long now = System.currentTimeMillis();
                List<WebhookStore.Claimed> claimed = store.claim(node, now, now + lease(), BATCH);
                if (claimed.isEmpty()) {
                    synchronized (wakeUp) {
                        wakeUp.wait(POLL_MILLIS);
                    }
                    continue;
                }
                List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
                for (WebhookStore.Claimed d : claimed) {
                    sent.add(senders.submit(() -> send(d)));
                }
                for (var f : sent) {
                    f.get();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // The database is unreachable for a moment: the rows stay in the outbox for later.
                LOG.warn("webhook deliveries: {}", e.toString());
                try {
                    Thread.sleep(POLL_MILLIS * 5);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Long enough for one attempt of each row in a batch (sent side by side), with room to record it. */
    private long lease() {
        return timeout.toMillis() * 2 + 5_000;
    }

    private void send(WebhookStore.Claimed d) {
        Integer status = null;
        String error;
        try {
            byte[] body = d.payload().getBytes(StandardCharsets.UTF_8);
            URI target = policy.checkUrl(d.url());
            ContentResponse r = http.newRequest(target).method("POST")
                    .headers(h -> h.put(SIGNATURE_HEADER, "sha256=" + sign(d.secret(), body))
                            .put("X-Slipway-Delivery", Long.toString(d.id()))
                            .put("X-Slipway-Event", d.eventId()))
                    .body(new BytesRequestContent(CONTENT_TYPE, body))
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).send();
            status = r.getStatus();
            if (status >= 200 && status < 300) {
                if (store.delivered(d, node, status)) {
                    metrics(m -> {
                        m.webhookAttempt("delivered");
                        m.webhookDelivered(System.currentTimeMillis() - d.createdAt());
                    });
                }
                return;
            }
            error = "the receiver answered " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            error = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        } catch (Exception e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        int attempts = d.attempts() + 1;
        boolean dead = attempts >= maxAttempts;
        long delay = Math.min(MAX_BACKOFF_MILLIS, backoff.toMillis() << Math.min(30, attempts - 1));
        store.failed(d, node, status, error, dead ? null : System.currentTimeMillis() + delay);
        String outcome = dead ? "dead" : "failed";
        metrics(m -> m.webhookAttempt(outcome));
        if (dead) {
            LOG.warn("webhook delivery {} of event {} dead after {} attempts: {}", d.id(), d.eventId(), attempts, error);
        }
    }

    private void metrics(java.util.function.Consumer<RegistryMetrics> record) {
        if (metrics != null) {
            record.accept(metrics);
        }
    }

    /** The hex HMAC-SHA256 of {@code body} under {@code secret}: what {@value #SIGNATURE_HEADER} carries after {@code sha256=}. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * Stops sending. Rows being sent keep their claims until the lease passes, then any node
     * sends them again: an abrupt stop loses nothing.
     */
    @Override
    public void close() throws Exception {
        closed = true;
        loop.interrupt();
        senders.shutdownNow();
        loop.join(5000);
        http.stop();
    }
}
