package io.slipway.registry.events;

import io.slipway.registry.metadata.SqlDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Webhook subscriptions and their outbox ({@code webhooks}, {@code webhook_deliveries}) in the
 * metadata database, with SQL both SQLite and PostgreSQL accept. An event becomes one delivery row
 * per matching subscription, written in the caller's transaction; a node claims due rows with a
 * lease ({@code FOR UPDATE SKIP LOCKED} where nodes write concurrently), so a row is attempted by
 * one node at a time and a dead node's claims are taken again once the lease has passed.
 */
public final class WebhookStore {
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";

    /** A subscription: a namespace's events (or, with no namespace, the audit log) sent to {@code url}. */
    public record Subscription(long id, long accountId, String namespace, String url, Set<String> events, String secret,
            String createdBy, Instant created) {
        /** Never the signing secret: a record's toString ends up in logs and exception messages. */
        @Override
        public String toString() {
            return "Subscription[id=" + id + ", accountId=" + accountId + ", namespace=" + namespace + ", url=" + url
                    + ", events=" + events + ", secret=***, createdBy=" + createdBy + ", created=" + created + "]";
        }
    }

    /** One event's delivery to one subscription, as the outbox holds it. */
    public record Delivery(long id, long webhookId, String eventId, String type, String state, int attempts,
            Instant nextAttempt, Integer lastStatus, String lastError, Instant created, Instant delivered) {
    }

    /** A delivery this node claimed, with what it needs to send it. */
    public record Claimed(long id, long webhookId, String eventId, String payload, int attempts, long createdAt,
            String url, String secret) {
        /** Never the signing secret (nor the payload, which can be long). */
        @Override
        public String toString() {
            return "Claimed[id=" + id + ", webhookId=" + webhookId + ", eventId=" + eventId + ", attempts=" + attempts
                    + ", createdAt=" + createdAt + ", url=" + url + ", secret=***]";
        }
    }

    /** An event to fan out: its subscription event name, the namespace it happened in (null: registry-wide), its CloudEvent. */
    public record Event(String id, String name, String namespace, String payload) {
    }

    private final SqlDatabase db;

    public WebhookStore(SqlDatabase db) {
        this.db = db;
    }

    private static final SqlDatabase.Row<Subscription> SUBSCRIPTION = rs -> new Subscription(rs.getLong(1), rs.getLong(2),
            rs.getString(3), rs.getString(4), new LinkedHashSet<>(Arrays.asList(rs.getString(5).split(","))),
            rs.getString(6), rs.getString(7), Instant.ofEpochMilli(rs.getLong(8)));
    private static final String COLUMNS = "id, account_id, namespace, url, events, secret, created_by, created_at";

    public Subscription create(long accountId, String namespace, String url, Set<String> events, String secret,
            String createdBy) {
        long now = System.currentTimeMillis();
        long id = db.write(c -> SqlDatabase.list(c, "INSERT INTO webhooks(account_id, namespace, url, events, secret, "
                + "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", rs -> rs.getLong(1), accountId,
                namespace, url, String.join(",", events), secret, createdBy, now).get(0));
        return new Subscription(id, accountId, namespace, url, events, secret, createdBy, Instant.ofEpochMilli(now));
    }

    public Optional<Subscription> get(long id) {
        return db.list("SELECT " + COLUMNS + " FROM webhooks WHERE id = ?", SUBSCRIPTION, id).stream().findFirst();
    }

    /** Every subscription of {@code accountId}, or of every account when null. */
    public List<Subscription> list(Long accountId) {
        return accountId == null ? db.list("SELECT " + COLUMNS + " FROM webhooks ORDER BY id", SUBSCRIPTION)
                : db.list("SELECT " + COLUMNS + " FROM webhooks WHERE account_id = ? ORDER BY id", SUBSCRIPTION, accountId);
    }

    /** Removes a subscription and its outbox rows (nothing is sent to it any more); true when it existed. */
    public boolean delete(long id) {
        return db.write(c -> {
            SqlDatabase.update(c, "DELETE FROM webhook_deliveries WHERE webhook_id = ?", id);
            return SqlDatabase.update(c, "DELETE FROM webhooks WHERE id = ?", id) > 0;
        });
    }

    /** The newest deliveries of a subscription, newest first. */
    public List<Delivery> deliveries(long webhookId, int limit) {
        return db.list("SELECT id, webhook_id, event_id, event_type, state, attempts, next_attempt_at, last_status, "
                + "last_error, created_at, delivered_at FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?",
                rs -> new Delivery(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getInt(6), Instant.ofEpochMilli(rs.getLong(7)), rs.getObject(8) == null ? null
                                : rs.getInt(8), rs.getString(9), Instant.ofEpochMilli(rs.getLong(10)),
                        rs.getObject(11) == null ? null : Instant.ofEpochMilli(rs.getLong(11))), webhookId, limit);
    }

    /**
     * Writes one outbox row per subscription that wants {@code event}, in the caller's transaction:
     * the namespace's subscriptions of the account that owns the namespace now (a namespace removed
     * and made again by another account does not inherit the old owner's subscriptions), or the
     * registry-wide ones for an event of no namespace. The number of rows written.
     */
    public int enqueue(Connection c, Event event) throws SQLException {
        List<Subscription> targets = event.namespace() == null
                ? SqlDatabase.list(c, "SELECT " + COLUMNS + " FROM webhooks WHERE namespace IS NULL", SUBSCRIPTION)
                : SqlDatabase.list(c, "SELECT w.id, w.account_id, w.namespace, w.url, w.events, w.secret, w.created_by, "
                        + "w.created_at FROM webhooks w JOIN namespaces n ON n.name = w.namespace AND n.account_id = "
                        + "w.account_id WHERE w.namespace = ?", SUBSCRIPTION, event.namespace());
        long now = System.currentTimeMillis();
        int written = 0;
        for (Subscription s : targets) {
            if (s.events().contains(event.name())) {
                SqlDatabase.update(c, "INSERT INTO webhook_deliveries(webhook_id, event_id, event_type, payload, state, "
                        + "attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)", s.id(), event.id(),
                        event.name(), event.payload(), PENDING, now, now);
                written++;
            }
        }
        return written;
    }

    /** Claims up to {@code max} due deliveries for {@code node} until {@code leaseUntil}. */
    public List<Claimed> claim(String node, long now, long leaseUntil, int max) {
        if (db.list("SELECT 1 FROM webhook_deliveries WHERE state = ? AND next_attempt_at <= ? AND (lease_until IS NULL "
                + "OR lease_until < ?) LIMIT 1", rs -> 1, PENDING, now, now).isEmpty()) {
            return List.of(); // nothing due: answered by a read, without the write lock pushes need
        }
        List<long[]> claimed = db.write(c -> SqlDatabase.list(c, "UPDATE webhook_deliveries SET leased_by = ?, "
                + "lease_until = ? WHERE id IN (SELECT id FROM webhook_deliveries WHERE state = ? AND next_attempt_at <= ? "
                + "AND (lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT ?" + db.rowLock("FOR UPDATE SKIP LOCKED") + ") RETURNING id",
                rs -> new long[] {rs.getLong(1)}, node, leaseUntil, PENDING, now, now, max));
        List<Claimed> result = new ArrayList<>();
        for (long[] id : claimed) {
            result.addAll(db.list("SELECT d.id, d.webhook_id, d.event_id, d.payload, d.attempts, d.created_at, w.url, "
                    + "w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ? "
                    + "AND d.leased_by = ?", rs -> new Claimed(rs.getLong(1), rs.getLong(2), rs.getString(3),
                    rs.getString(4), rs.getInt(5), rs.getLong(6), rs.getString(7), rs.getString(8)), id[0], node));
        }
        return result;
    }

    /** The receiver took it. False when this node no longer held the claim (its lease ran out and another node took it). */
    public boolean delivered(Claimed d, String node, int status) {
        long now = System.currentTimeMillis();
        return db.write(c -> SqlDatabase.update(c, "UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, "
                + "last_status = ?, last_error = NULL, delivered_at = ?, leased_by = NULL, lease_until = NULL "
                + "WHERE id = ? AND leased_by = ?", DELIVERED, status, now, d.id(), node)) > 0;
    }

    /** An attempt failed: retried at {@code nextAttempt}, or dead-lettered when that is null. */
    public void failed(Claimed d, String node, Integer status, String error, Long nextAttempt) {
        String message = error == null ? null : error.length() > 500 ? error.substring(0, 500) : error;
        db.write(c -> SqlDatabase.update(c, "UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, "
                // A null status is bound as text (SqlDatabase.prepare): the cast types it for PostgreSQL.
                + "last_status = CAST(? AS INTEGER), last_error = ?, next_attempt_at = ?, leased_by = NULL, "
                + "lease_until = NULL WHERE id = ? AND leased_by = ?", nextAttempt == null ? DEAD : PENDING, status, message,
                nextAttempt == null ? System.currentTimeMillis() : nextAttempt, d.id(), node));
    }

    /** Deliveries waiting (pending) in the whole outbox. */
    public long pending() {
        return db.list("SELECT COUNT(*) FROM webhook_deliveries WHERE state = ?", rs -> rs.getLong(1), PENDING).get(0);
    }

    /** Deliveries dead-lettered in the whole outbox. */
    public long dead() {
        return db.list("SELECT COUNT(*) FROM webhook_deliveries WHERE state = ?", rs -> rs.getLong(1), DEAD).get(0);
    }
}
