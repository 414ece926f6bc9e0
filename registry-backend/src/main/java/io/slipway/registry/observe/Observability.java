package io.slipway.registry.observe;

import io.slipway.registry.config.ObserveSettings;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.scan.ScanJobs;
import io.slipway.registry.storage.BlobStore;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * What one node exports about itself, assembled in one place so the server only hooks it in:
 * the metrics (or none, when {@code metrics.enabled} is false), the readiness checks, and the
 * handler that wraps the whole tree.
 */
public final class Observability implements AutoCloseable {
    private final ObserveSettings settings;
    private final SqlDatabase database;
    private final RegistryMetrics metrics;
    private final Readiness readiness;
    private ServerConnector metricsConnector;

    public Observability(ObserveSettings settings, SqlDatabase database, BlobStore blobs) {
        this.settings = settings;
        this.database = database;
        this.metrics = settings.metricsEnabled() ? new RegistryMetrics() : null;
        this.readiness = new Readiness(database, blobs);
        if (metrics != null) {
            database.time(metrics::database);
            metrics.gauge("slipway_database_connections", "Metadata database connections of this node, by state",
                    "state", cb -> {
                        SqlDatabase.PoolUse use = database.poolUse();
                        cb.call(use.active(), "active");
                        cb.call(use.idle(), "idle");
                        cb.call(use.waiting(), "waiting");
                        cb.call(use.max(), "max");
                    });
            metrics.gauge("slipway_uploads_open", "Upload sessions open in the registry (all nodes)",
                    () -> count("SELECT COUNT(*) FROM uploads"));
        }
    }

    /** The metrics, or null when they are off. */
    public RegistryMetrics metrics() {
        return metrics;
    }

    /** {@code blobs}, timed when metrics are on. */
    public BlobStore blobs(BlobStore blobs) {
        return metrics == null ? blobs : new TimedBlobStore(blobs, metrics);
    }

    /** Exports the scan queue and the scans this node finishes. */
    public void watch(ScanJobs jobs) {
        if (metrics == null) {
            return;
        }
        metrics.gauge("slipway_scan_queue_jobs", "Scan jobs waiting or running (all nodes)", jobs::pending);
        metrics.gauge("slipway_scan_queue_oldest_job_age_seconds", "Age of the oldest scan job waiting or running, 0 when none",
                () -> {
                    var oldest = jobs.oldestEnqueuedAt();
                    return oldest.isEmpty() ? 0 : Math.max(0, System.currentTimeMillis() - oldest.getAsLong()) / 1e3;
                });
        jobs.onComplete((c, digest, startedAt, finishedAt, outcome) -> metrics.scan(outcome, finishedAt - startedAt));
    }

    /** Upper bounds of the quota use bands (fraction of the quota used); the last band is "at or over the limit". */
    private static final double[] QUOTA_BANDS = {0.5, 0.8, 1.0};
    private static final String[] QUOTA_BAND_NAMES = {"below_50", "50_to_80", "80_to_100", "at_limit"};

    /**
     * Exports garbage collection (the sweeps this node runs) and quota use. Quota use is told per
     * band of use — how many accounts with a quota use below half of it, up to 80%, up to all of it, or
     * all of it — and as the highest use of any account: bounded labels whatever the number of
     * accounts (an account's name is never a label; {@code cr quota} names the one near its limit).
     */
    public void watch(io.slipway.registry.lifecycle.Lifecycle lifecycle) {
        if (metrics == null) {
            return;
        }
        lifecycle.collector().onSweep((dryRun, outcome, deleted, freed, nanos) ->
                metrics.gc(dryRun, outcome.name().toLowerCase(java.util.Locale.ROOT), nanos, deleted, freed));
        var store = lifecycle.store();
        metrics.gauge("slipway_quota_accounts", "Accounts with a storage or pull traffic quota (this month's), by the "
                + "share of it they use (below_50, 50_to_80, 80_to_100, at_limit)", new String[] {"quota", "use"}, cb -> {
                    String month = lifecycle.month();
                    int[] storage = new int[QUOTA_BAND_NAMES.length];
                    int[] traffic = new int[QUOTA_BAND_NAMES.length];
                    for (var q : store.quotas()) {
                        if (q.quota().storageBytes() != null) {
                            storage[band(store.storageUsed(q.accountId()), q.quota().storageBytes())]++;
                        }
                        if (q.quota().trafficBytes() != null) {
                            traffic[band(store.traffic(q.accountId(), month), q.quota().trafficBytes())]++;
                        }
                    }
                    for (int i = 0; i < QUOTA_BAND_NAMES.length; i++) {
                        cb.call(storage[i], "storage", QUOTA_BAND_NAMES[i]);
                        cb.call(traffic[i], "traffic", QUOTA_BAND_NAMES[i]);
                    }
                });
        metrics.gauge("slipway_quota_use_ratio_max", "The highest share of its quota any account uses (1: at its "
                + "limit), by quota (storage, traffic this month); 0 when no account has one", "quota", cb -> {
                    String month = lifecycle.month();
                    double storage = 0;
                    double traffic = 0;
                    for (var q : store.quotas()) {
                        if (q.quota().storageBytes() != null) {
                            storage = Math.max(storage, ratio(store.storageUsed(q.accountId()), q.quota().storageBytes()));
                        }
                        if (q.quota().trafficBytes() != null) {
                            traffic = Math.max(traffic, ratio(store.traffic(q.accountId(), month), q.quota().trafficBytes()));
                        }
                    }
                    cb.call(storage, "storage");
                    cb.call(traffic, "traffic");
                });
    }

    private static double ratio(long used, long limit) {
        return limit <= 0 ? 1 : (double) used / limit; // a zero quota: at its limit, nothing more may come
    }

    static int band(long used, long limit) {
        double r = ratio(used, limit);
        for (int i = 0; i < QUOTA_BANDS.length; i++) {
            if (r < QUOTA_BANDS[i]) {
                return i;
            }
        }
        return QUOTA_BANDS.length;
    }

    /**
     * Wraps {@code handlers}, the registry's tree, and opens the metrics listener when
     * {@code metrics.listen} names one.
     */
    public Handler wrap(Server jetty, Handler handlers, org.eclipse.jetty.server.Connector webhookConnector) {
        if (metrics != null && settings.metricsListen() != null) {
            String listen = settings.metricsListen();
            int colon = listen.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("metrics.listen must be HOST:PORT, not \"" + listen + "\"");
            }
            metricsConnector = new ServerConnector(jetty, 1, 1);
            metricsConnector.setName("metrics");
            String host = listen.substring(0, colon).replace("[", "").replace("]", "");
            metricsConnector.setHost(host.isEmpty() ? "0.0.0.0" : host);
            metricsConnector.setPort(Integer.parseInt(listen.substring(colon + 1)));
            jetty.addConnector(metricsConnector);
        }
        // settings.logFormat() is the process's (the server's logging backend), not this handler's.
        return new ObservedHandler(handlers, metrics, readiness, metricsConnector, webhookConnector, settings.logRequests());
    }

    /** The port metrics are served on alone, or -1 when they share the registry's. */
    public int metricsPort() {
        return metricsConnector == null ? -1 : metricsConnector.getLocalPort();
    }

    private double count(String sql) {
        return database.list(sql, rs -> rs.getLong(1)).get(0);
    }

    @Override
    public void close() {
        readiness.close();
    }
}
