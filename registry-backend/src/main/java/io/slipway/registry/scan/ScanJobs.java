package io.slipway.registry.scan;

import io.slipway.oci.Digest;
import io.slipway.registry.metadata.SqlDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The scan job table, shared by every node that uses the same database. A job is a manifest digest
 * to scan; a node takes the oldest free job by writing a lease on it (its name and an expiry),
 * renews the lease while it scans, and deletes the job when done. A node that dies stops renewing:
 * once the lease expires another node takes the job again, up to a number of attempts. On
 * PostgreSQL the claim skips rows another transaction is claiming ({@code FOR UPDATE SKIP LOCKED}),
 * so nodes never wait on each other and never take the same job; on SQLite one writer at a time
 * gives the same guarantee. Jobs are in the database, so queued scans also survive a restart.
 */
public final class ScanJobs {
    /** A taken job: the digest, which attempt this is (1 for the first), and who holds it. */
    public record Job(Digest digest, int attempt, String node) {
    }

    /** One scan that ran, as {@code scan_runs} records it. */
    public record Run(Digest digest, String node, int attempt, String outcome) {
    }

    private final SqlDatabase db;
    private final String node;
    private final Duration lease;
    private final Clock clock;

    /**
     * @param node  this node's name, unique among the nodes sharing the database
     * @param lease how long a taken job stays this node's without a renewal
     */
    public ScanJobs(SqlDatabase db, String node, Duration lease, Clock clock) {
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("scan lease must be positive");
        }
        this.db = db;
        this.node = node;
        this.lease = lease;
        this.clock = clock;
    }

    public String node() {
        return node;
    }

    public Duration lease() {
        return lease;
    }

    /** Adds a job for {@code digest} unless one is already waiting or running; true when added. */
    public boolean offer(Digest digest) {
        return db.write(c -> SqlDatabase.update(c, "INSERT INTO scan_jobs(digest, enqueued_at) VALUES (?, ?) "
                + "ON CONFLICT(digest) DO NOTHING", digest.toString(), clock.millis()) > 0);
    }

    /** Takes the oldest job that is free or whose lease expired; empty when there is none. */
    public Optional<Job> take() {
        long now = clock.millis();
        // Idle workers ask twice a second: a read answers "nothing to take" without taking the
        // write lock, which on SQLite is the one pushes need too.
        if (db.list("SELECT 1 FROM scan_jobs WHERE lease_until IS NULL OR lease_until < ? LIMIT 1", rs -> 1, now).isEmpty()) {
            return Optional.empty();
        }
        List<Job> taken = db.write(c -> SqlDatabase.list(c, "UPDATE scan_jobs SET leased_by = ?, lease_until = ?, "
                + "attempts = attempts + 1 WHERE digest = (SELECT digest FROM scan_jobs WHERE lease_until IS NULL "
                + "OR lease_until < ? ORDER BY enqueued_at, digest LIMIT 1" + db.rowLock("FOR UPDATE SKIP LOCKED") + ") RETURNING digest, attempts",
                rs -> new Job(Digest.parse(rs.getString(1)), rs.getInt(2), node), node, now + lease.toMillis(), now));
        return taken.stream().findFirst();
    }

    /** Extends the lease of a job this node holds; false when it lost the job (its lease expired and another took it). */
    public boolean renew(Job job) {
        return update("UPDATE scan_jobs SET lease_until = ? WHERE digest = ? AND leased_by = ?",
                clock.millis() + lease.toMillis(), job.digest().toString(), node) > 0;
    }

    /** Told of each finished scan inside the transaction that records it: events written with it, metrics. */
    @FunctionalInterface
    public interface Completion {
        void completed(java.sql.Connection c, Digest digest, long startedAt, long finishedAt, String outcome)
                throws java.sql.SQLException;
    }

    private final List<Completion> completions = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void onComplete(Completion completion) {
        completions.add(completion);
    }

    /** When the oldest waiting or running job was queued (epoch ms), or empty when there is none. */
    public java.util.OptionalLong oldestEnqueuedAt() {
        List<Long> oldest = db.list("SELECT MIN(enqueued_at) FROM scan_jobs", rs -> rs.getObject(1) == null ? null : rs.getLong(1));
        return oldest.isEmpty() || oldest.get(0) == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(oldest.get(0));
    }

    /** The job is over: recorded in {@code scan_runs} and removed, unless another node took it meanwhile. */
    public void complete(Job job, long startedAt, String outcome) {
        db.write(c -> {
            long finishedAt = clock.millis();
            SqlDatabase.update(c, "INSERT INTO scan_runs(digest, node, attempt, started_at, finished_at, outcome) "
                    + "VALUES (?, ?, ?, ?, ?, ?)", job.digest().toString(), node, job.attempt(), startedAt, finishedAt,
                    outcome);
            for (Completion completion : completions) {
                completion.completed(c, job.digest(), startedAt, finishedAt, outcome);
            }
            return SqlDatabase.update(c, "DELETE FROM scan_jobs WHERE digest = ? AND leased_by = ?",
                    job.digest().toString(), node);
        });
    }

    /** Removes a job without a run (nothing left to do for it). */
    public void drop(Job job) {
        update("DELETE FROM scan_jobs WHERE digest = ? AND leased_by = ?", job.digest().toString(), node);
    }

    /** Jobs waiting or running, on every node. */
    public int pending() {
        return db.list("SELECT COUNT(*) FROM scan_jobs", rs -> rs.getInt(1)).get(0);
    }

    /** Every scan that ran for {@code digest}, oldest first. */
    public List<Run> runs(Digest digest) {
        return db.list("SELECT digest, node, attempt, outcome FROM scan_runs WHERE digest = ? ORDER BY id",
                rs -> new Run(Digest.parse(rs.getString(1)), rs.getString(2), rs.getInt(3), rs.getString(4)),
                digest.toString());
    }

    private int update(String sql, Object... args) {
        return db.write(c -> SqlDatabase.update(c, sql, args));
    }
}
