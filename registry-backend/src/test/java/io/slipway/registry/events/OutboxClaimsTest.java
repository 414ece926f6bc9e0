package io.slipway.registry.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.metadata.PostgresDatabase;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.metadata.SqliteDatabase;
import io.slipway.registry.testing.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox's claims on both databases: nodes claiming at once never hold the same row, a claim
 * whose lease passed is taken again (a dead node's), a failed attempt waits for its backoff, and
 * only the claim's holder records an outcome.
 */
class OutboxClaimsTest {
    @TempDir
    Path dir;

    @Test
    void sqlite() throws Exception {
        try (SqliteDatabase db = new SqliteDatabase(dir.resolve("metadata.db"))) {
            claims(db);
        }
    }

    @Test
    void postgres() throws Exception {
        try (PostgresDatabase db = new PostgresDatabase(PostgresServer.shared().newDatabase(8))) {
            claims(db);
        }
    }

    void claims(SqlDatabase db) throws Exception {
        WebhookStore store = new WebhookStore(db);
        db.write(c -> SqlDatabase.update(c, "INSERT INTO accounts(id, name, created_at) VALUES (7, 'acme', 0)"));
        db.write(c -> SqlDatabase.update(c, "INSERT INTO namespaces(name, account_id, created_at) VALUES ('acme-dev', 7, 0)"));
        WebhookStore.Subscription s = store.create(7, "acme-dev", "http://127.0.0.1:9/", Set.of("push"), "secret", "user:x");
        int events = 200;
        for (int i = 0; i < events; i++) {
            String id = "event-" + i;
            int written = db.write(c -> store.enqueue(c, new WebhookStore.Event(id, "push", "acme-dev", "{}")));
            assertThat(written).isEqualTo(1);
        }
        // Events of another name, or of a namespace now owned by another account, write nothing.
        int other = db.write(c -> store.enqueue(c, new WebhookStore.Event("x", "delete", "acme-dev", "{}")));
        assertThat(other).isZero();
        db.write(c -> SqlDatabase.update(c, "INSERT INTO accounts(id, name, created_at) VALUES (8, 'globex', 0)"));
        db.write(c -> SqlDatabase.update(c, "UPDATE namespaces SET account_id = 8 WHERE name = 'acme-dev'"));
        int moved = db.write(c -> store.enqueue(c, new WebhookStore.Event("y", "push", "acme-dev", "{}")));
        assertThat(moved).isZero();
        db.write(c -> SqlDatabase.update(c, "UPDATE namespaces SET account_id = 7 WHERE name = 'acme-dev'"));

        // Four nodes claim side by side until nothing is left: every row exactly once.
        long now = System.currentTimeMillis();
        ExecutorService nodes = Executors.newFixedThreadPool(4);
        List<Future<List<Long>>> claimed = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            String node = "node-" + n;
            claimed.add(nodes.submit(() -> {
                List<Long> mine = new ArrayList<>();
                for (List<WebhookStore.Claimed> batch; !(batch = store.claim(node, now, now + 60_000, 7)).isEmpty(); ) {
                    batch.forEach(d -> mine.add(d.id()));
                }
                return mine;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (var f : claimed) {
            all.addAll(f.get());
        }
        nodes.shutdown();
        assertThat(all).hasSize(events);
        assertThat(new HashSet<>(all)).hasSize(events);

        // node-0 died holding its rows: after the lease they are claimed again, and node-0 can no longer record them.
        List<WebhookStore.Claimed> again = store.claim("node-9", now + 61_000, now + 120_000, events);
        assertThat(again).hasSize(events);
        WebhookStore.Claimed first = again.get(0);
        assertThat(first.url()).isEqualTo("http://127.0.0.1:9/");
        assertThat(first.secret()).isEqualTo("secret");
        assertThat(store.delivered(first, "node-0", 200)).isFalse();
        assertThat(store.delivered(first, "node-9", 200)).isTrue();
        // A failed attempt waits for its backoff; a dead one is never claimed again.
        WebhookStore.Claimed second = again.get(1);
        store.failed(second, "node-9", 500, "the receiver answered 500", now + 200_000);
        store.failed(again.get(2), "node-9", null, "connection refused", null);
        List<Long> later = new ArrayList<>();
        store.claim("node-9", now + 121_000, now + 190_000, events).forEach(d -> later.add(d.id()));
        assertThat(later).hasSize(events - 3).doesNotContain(first.id(), second.id(), again.get(2).id());
        List<Long> afterBackoff = new ArrayList<>();
        store.claim("node-9", now + 200_001, now + 300_000, events).forEach(d -> afterBackoff.add(d.id()));
        assertThat(afterBackoff).contains(second.id()).doesNotContain(again.get(2).id());
        assertThat(store.dead()).isEqualTo(1);
        List<WebhookStore.Delivery> listed = store.deliveries(s.id(), 1000);
        assertThat(listed).hasSize(events);
        assertThat(listed.stream().filter(d -> d.id() == first.id()).findFirst().orElseThrow().state()).isEqualTo("delivered");
        assertThat(Collections.frequency(listed.stream().map(WebhookStore.Delivery::state).toList(), "dead")).isEqualTo(1);
        // Removing the subscription removes its outbox.
        assertThat(store.delete(s.id())).isTrue();
        assertThat(store.pending()).isZero();
    }
}
