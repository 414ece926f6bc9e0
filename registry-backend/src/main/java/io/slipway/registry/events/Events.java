package io.slipway.registry.events;

import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.config.ObserveSettings;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.observe.RegistryMetrics;
import io.slipway.registry.scan.ScanJobs;
import io.slipway.registry.tenancy.TenancyStore;
import java.util.function.Supplier;

/**
 * The events of one node, assembled so the server only hooks them in: what is recorded (audit
 * entries, finished scans) becomes outbox rows in the same transaction, and this node's deliverer
 * sends the outbox of every node.
 */
public final class Events implements AutoCloseable {
    private final WebhookStore store;
    private final Deliverer deliverer;
    private final WebhookApi api;

    public Events(ObserveSettings settings, SqlDatabase database, TenancyStore tenancy, Authorizer authorizer,
            ScanJobs jobs, String node, Supplier<String> source, RegistryMetrics metrics) throws Exception {
        this.store = new WebhookStore(database);
        TargetPolicy targets = new TargetPolicy(settings.allowedTargets());
        this.deliverer = new Deliverer(store, targets, node, settings.maxAttempts(), settings.backoff(), settings.timeout(),
                metrics);
        EventRecorder recorder = new EventRecorder(store, source, deliverer::wake);
        tenancy.onAudit(recorder::audited);
        jobs.onComplete(recorder::scanned);
        this.api = new WebhookApi(store, tenancy, authorizer, targets);
        if (metrics != null) {
            metrics.gauge("slipway_webhook_outbox_pending", "Webhook deliveries waiting to be sent (all nodes)",
                    store::pending);
            metrics.gauge("slipway_webhook_outbox_dead", "Webhook deliveries dead-lettered (all nodes)", store::dead);
        }
    }

    public WebhookApi api() {
        return api;
    }

    public WebhookStore store() {
        return store;
    }

    @Override
    public void close() throws Exception {
        deliverer.close();
    }
}
