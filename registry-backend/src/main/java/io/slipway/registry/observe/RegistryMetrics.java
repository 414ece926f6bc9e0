package io.slipway.registry.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Every metric one registry node exports, in its own Prometheus registry (not the library's
 * global one: tests run several nodes in one JVM). Label values are bounded by construction:
 * route templates, methods, status codes, operation and outcome words — never a repository name,
 * a digest or an account.
 */
public final class RegistryMetrics {
    /** Request latency buckets, in seconds: from a cached manifest GET to a large blob. */
    private static final double[] REQUEST_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10, 30, 60};
    private static final double[] STORE_BUCKETS = {0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
            0.5, 1, 5};
    private static final double[] SCAN_BUCKETS = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Histogram requests;
    private final Gauge inFlight;
    private final Counter received;
    private final Counter sent;
    private final Histogram blobStore;
    private final Histogram database;
    private final Histogram scans;
    private final Counter tokens;
    private final Counter webhookAttempts;
    private final Histogram webhookDelay;
    private final Counter gcRuns;
    private final Histogram gcDuration;
    private final Counter gcFreedBytes;
    private final Counter gcDeletedBlobs;

    public RegistryMetrics() {
        requests = Histogram.builder().name("slipway_http_request_duration_seconds")
                .help("Requests by route template, method and status, with their latency (first byte in to last byte out)")
                .labelNames("route", "method", "status").classicOnly().classicUpperBounds(REQUEST_BUCKETS)
                .register(registry);
        inFlight = Gauge.builder().name("slipway_http_requests_in_flight")
                .help("Requests being handled now, by route template (uploads in progress: the upload routes)")
                .labelNames("route").register(registry);
        received = Counter.builder().name("slipway_http_received_bytes_total")
                .help("Request body bytes received, by route template").labelNames("route").register(registry);
        sent = Counter.builder().name("slipway_http_sent_bytes_total")
                .help("Response body bytes sent, by route template").labelNames("route").register(registry);
        blobStore = Histogram.builder().name("slipway_blobstore_operation_duration_seconds")
                .help("Blob store calls by operation, with their latency").labelNames("operation", "outcome")
                .classicOnly().classicUpperBounds(STORE_BUCKETS).register(registry);
        database = Histogram.builder().name("slipway_database_operation_duration_seconds")
                .help("Metadata database transactions by kind (read, write), with their latency")
                .labelNames("operation").classicOnly().classicUpperBounds(STORE_BUCKETS).register(registry);
        scans = Histogram.builder().name("slipway_scan_duration_seconds")
                .help("Vulnerability scans this node finished, by outcome (DONE, UNSUPPORTED, FAILED)")
                .labelNames("outcome").classicOnly().classicUpperBounds(SCAN_BUCKETS).register(registry);
        tokens = Counter.builder().name("slipway_tokens_total")
                .help("Answers of the token endpoint: issued, or refused (bad credentials, throttled, bad request)")
                .labelNames("outcome").register(registry);
        webhookAttempts = Counter.builder().name("slipway_webhook_delivery_attempts_total")
                .help("Webhook delivery attempts by outcome (delivered, failed, dead)").labelNames("outcome")
                .register(registry);
        webhookDelay = Histogram.builder().name("slipway_webhook_delivery_delay_seconds")
                .help("From an event to its successful delivery").classicOnly()
                .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600).register(registry);
        gcRuns = Counter.builder().name("slipway_gc_runs_total")
                .help("Garbage collection sweeps this node was asked for, by mode (sweep, dry_run) and outcome "
                        + "(done; refused: another node held the lease; failed: stopped half-way)")
                .labelNames("mode", "outcome").register(registry);
        gcDuration = Histogram.builder().name("slipway_gc_duration_seconds")
                .help("Garbage collection sweeps this node ran, by mode (sweep, dry_run), with their duration")
                .labelNames("mode").classicOnly().classicUpperBounds(0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600)
                .register(registry);
        gcFreedBytes = Counter.builder().name("slipway_gc_freed_bytes_total")
                .help("Bytes of blobs garbage collection deleted on this node").register(registry);
        gcDeletedBlobs = Counter.builder().name("slipway_gc_deleted_blobs_total")
                .help("Blobs garbage collection deleted on this node").register(registry);
        JvmMetrics.builder().register(registry);
    }

    /**
     * A garbage collection sweep: a refused one (another node's lease) did nothing and has no
     * duration worth a histogram; a failed one still freed what its committed batches deleted.
     */
    public void gc(boolean dryRun, String outcome, long nanos, int deletedBlobs, long freedBytes) {
        String mode = dryRun ? "dry_run" : "sweep";
        gcRuns.labelValues(mode, outcome).inc();
        if (!outcome.equals("refused")) {
            gcDuration.labelValues(mode).observe(nanos / 1e9);
        }
        if (deletedBlobs > 0) {
            gcDeletedBlobs.inc(deletedBlobs);
        }
        if (freedBytes > 0) {
            gcFreedBytes.inc(freedBytes);
        }
    }

    /** A finished request. */
    public void request(String route, String method, int status, long nanos, long bytesIn, long bytesOut) {
        requests.labelValues(route, method, Integer.toString(status)).observe(nanos / 1e9);
        if (bytesIn > 0) {
            received.labelValues(route).inc(bytesIn);
        }
        if (bytesOut > 0) {
            sent.labelValues(route).inc(bytesOut);
        }
    }

    public void started(String route) {
        inFlight.labelValues(route).inc();
    }

    public void finished(String route) {
        inFlight.labelValues(route).dec();
    }

    public void blobStore(String operation, boolean ok, long nanos) {
        blobStore.labelValues(operation, ok ? "ok" : "error").observe(nanos / 1e9);
    }

    public void database(String operation, long nanos) {
        database.labelValues(operation).observe(nanos / 1e9);
    }

    public void scan(String outcome, long millis) {
        scans.labelValues(outcome).observe(millis / 1e3);
    }

    public void token(boolean issued) {
        tokens.labelValues(issued ? "issued" : "refused").inc();
    }

    public void webhookAttempt(String outcome) {
        webhookAttempts.labelValues(outcome).inc();
    }

    public void webhookDelivered(long delayMillis) {
        webhookDelay.observe(delayMillis / 1e3);
    }

    /** A value read at each scrape (queue depths, pool use), from the stores that know it. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** Several values of one gauge with several labels at each scrape, told as (value, label values…). */
    public void gauge(String name, String help, String[] labels, Consumer<GaugeWithCallback.Callback> values) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(labels).callback(values::accept).register(registry);
    }

    /** Several values of one gauge at each scrape, told as (value, label value) pairs. */
    public void gauge(String name, String help, String label, Consumer<GaugeWithCallback.Callback> values) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(label).callback(values::accept).register(registry);
    }

    /** The content type of the format {@code accept} asks for (Prometheus text, or OpenMetrics). */
    public String contentType(String accept) {
        return writer(accept).getContentType();
    }

    /** Writes every metric in the format {@code accept} asks for. */
    public void scrape(String accept, OutputStream out) throws IOException {
        writer(accept).write(out, registry.scrape());
    }

    private ExpositionFormatWriter writer(String accept) {
        ExpositionFormatWriter w = formats.findWriter(accept);
        // Protobuf needs a module this build leaves out: answer text instead.
        return w.isAvailable() && !w.getContentType().contains("protobuf") ? w : formats.getPrometheusTextFormatWriter();
    }
}
