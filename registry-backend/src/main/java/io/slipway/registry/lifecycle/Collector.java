package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.metadata.SqlMetadataStore;
import io.slipway.registry.storage.BlobStore;
import io.slipway.registry.tenancy.TenancyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online garbage collection: removes the bytes (and the repository links) of every digest in the
 * blob ledger that no manifest, manifest reference or trash entry reaches and that nothing touched
 * within the grace period, while pushes go on. Why a referenced blob is never taken is written out
 * in docs/storage-lifecycle.md: every write that makes a digest reachable first touches it under a
 * shared lock; a digest is deleted only under the exclusive lock, after a re-check of both. One
 * node at a time sweeps (a lease row); a sweep killed half-way leaves only garbage for the next.
 */
public final class Collector {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    /** The advisory lock key of the sweep (exclusive) against the touches (shared). */
    static final long LOCK = 0x5117_6C20L;
    private static final String LEASE = "gc";
    private static final int BATCH = 50;

    private final SqlDatabase db;
    private final BlobStore blobs;
    private final Clock clock;
    private final Duration grace;
    private final String node;

    /** What a sweep found and freed. */
    public record Report(boolean dryRun, int candidates, int deleted, long bytesFreed, List<String> digests) {
    }

    /** How a sweep this node was asked for ended. */
    public enum Outcome {
        /** It ran to its end. */
        DONE,
        /** Another node held the lease: nothing was done. */
        REFUSED,
        /** It stopped half-way (the next sweep finishes it). */
        FAILED
    }

    /** Told of each sweep this node was asked for (for metrics): what was deleted and freed, how long it took. */
    @FunctionalInterface
    public interface Sweeps {
        void swept(boolean dryRun, Outcome outcome, int deleted, long bytesFreed, long nanos);
    }

    private volatile Sweeps sweeps = (dryRun, outcome, deleted, bytesFreed, nanos) -> { };

    public void onSweep(Sweeps listener) {
        this.sweeps = listener;
    }

    Collector(SqlDatabase db, BlobStore blobs, Clock clock, Duration grace, String node) {
        this.db = db;
        this.blobs = blobs;
        this.clock = clock;
        this.grace = grace;
        this.node = node;
    }

    /**
     * Records that {@code digests} are being made reachable (stored, linked or referenced) now: a
     * sweep spares them for the grace period. Waits while a sweep deletes.
     */
    void touch(Collection<Digest> digests, long size) {
        if (digests.isEmpty()) {
            return;
        }
        long now = clock.millis();
        db.write(c -> {
            db.shareOn(c, LOCK);
            for (Digest d : digests) {
                SqlDatabase.update(c, "INSERT INTO blob_ledger(digest, size, touched_at) VALUES (?, ?, ?) "
                        + "ON CONFLICT (digest) DO UPDATE SET touched_at = excluded.touched_at, size = CASE WHEN "
                        + "excluded.size >= 0 THEN excluded.size ELSE blob_ledger.size END", d.toString(), size, now);
            }
            return null;
        });
    }

    /** Garbage: in the ledger, untouched for the grace period, and reached by nothing. */
    private static final String GARBAGE = "l.touched_at < ? "
            + "AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.digest = l.digest) "
            + "AND NOT EXISTS (SELECT 1 FROM manifest_references r WHERE r.digest = l.digest) "
            + "AND NOT EXISTS (SELECT 1 FROM trash t WHERE t.digest = l.digest OR t.refs LIKE '%' || l.digest || '%')";

    /** Sweeps once; refused while another node holds the lease. */
    public Report collect(boolean dryRun) {
        long start = System.nanoTime();
        long[] freed = {0};
        int[] deleted = {0};
        Outcome outcome = Outcome.FAILED;
        try {
            Report report = sweep(dryRun, deleted, freed);
            outcome = Outcome.DONE;
            return report;
        } catch (TenancyException e) {
            outcome = Outcome.REFUSED;
            throw e;
        } finally {
            sweeps.swept(dryRun, outcome, deleted[0], freed[0], System.nanoTime() - start);
        }
    }

    /**
     * One sweep; {@code deletedSoFar} and {@code freedSoFar} follow each committed batch, so a sweep
     * failing half-way still tells what it freed.
     */
    private Report sweep(boolean dryRun, int[] deletedSoFar, long[] freedSoFar) {
        if (!takeLease()) {
            throw TenancyException.conflict("garbage collection is running on another node; try again later");
        }
        try {
            long cutoff = clock.millis() - grace.toMillis();
            record Candidate(String digest, long size) {
            }
            List<Candidate> candidates = db.list("SELECT l.digest, l.size FROM blob_ledger l WHERE " + GARBAGE
                    + " ORDER BY l.digest", rs -> new Candidate(rs.getString(1), rs.getLong(2)), cutoff);
            List<String> deleted = new ArrayList<>();
            long freed = 0;
            if (dryRun) {
                for (Candidate c : candidates) {
                    deleted.add(c.digest());
                    freed += Math.max(0, c.size());
                }
                return new Report(true, candidates.size(), 0, freed, deleted);
            }
            for (int i = 0; i < candidates.size(); i += BATCH) {
                List<Candidate> batch = candidates.subList(i, Math.min(candidates.size(), i + BATCH));
                long[] batchFreed = {0};
                List<String> batchDeleted = new ArrayList<>();
                // First the links go and the row is doomed (touched_at -1), committed before any byte
                // is deleted: a repository never links a digest whose bytes are gone.
                db.write(c -> {
                    db.serializeOn(c, LOCK);
                    boolean unlinked = false;
                    for (Candidate candidate : batch) {
                        // The re-check, under the lock: a touch or a reference since the listing spares it.
                        if (!SqlDatabase.list(c, "SELECT 1 FROM blob_ledger l WHERE l.digest = ? AND " + GARBAGE,
                                rs -> 1, candidate.digest(), cutoff).isEmpty()) {
                            unlinked |= SqlDatabase.update(c, "DELETE FROM repository_blobs WHERE digest = ?",
                                    candidate.digest()) > 0;
                            SqlDatabase.update(c, "UPDATE blob_ledger SET touched_at = -1 WHERE digest = ?",
                                    candidate.digest());
                        }
                    }
                    if (unlinked) {
                        // every node's read cache (metadata.CachingMetadataStore) may hold these links
                        SqlMetadataStore.changed(c);
                    }
                    return null;
                });
                // Then the bytes of what is still doomed (a touch since revives a digest). Killed
                // anywhere here, the doomed rows are garbage for the next sweep, which finishes.
                db.write(c -> {
                    db.serializeOn(c, LOCK);
                    for (Candidate candidate : batch) {
                        if (SqlDatabase.update(c, "DELETE FROM blob_ledger WHERE digest = ? AND touched_at = -1",
                                candidate.digest()) == 0) {
                            continue;
                        }
                        try {
                            blobs.delete(Digest.parse(candidate.digest()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        LOG.debug("garbage collection deleted {}", candidate.digest());
                        batchDeleted.add(candidate.digest());
                        batchFreed[0] += Math.max(0, candidate.size());
                    }
                    return null;
                });
                deleted.addAll(batchDeleted);
                freed += batchFreed[0];
                deletedSoFar[0] += batchDeleted.size();
                freedSoFar[0] += batchFreed[0];
                renewLease();
            }
            if (!deleted.isEmpty()) {
                LOG.info("garbage collection freed {} blobs, {} bytes", deleted.size(), freed);
            }
            return new Report(false, candidates.size(), deleted.size(), freed, deleted);
        } finally {
            releaseLease();
        }
    }

    private static final long LEASE_MILLIS = 10 * 60_000L;

    private boolean takeLease() {
        long now = clock.millis();
        return db.write(c -> {
            SqlDatabase.update(c, "INSERT INTO lifecycle_leases(name, holder, expires_at) VALUES (?, ?, 0) "
                    + "ON CONFLICT (name) DO NOTHING", LEASE, node);
            return SqlDatabase.update(c, "UPDATE lifecycle_leases SET holder = ?, expires_at = ? WHERE name = ? "
                    + "AND (expires_at < ? OR holder = ?)", node, now + LEASE_MILLIS, LEASE, now, node) == 1;
        });
    }

    private void renewLease() {
        db.write(c -> SqlDatabase.update(c, "UPDATE lifecycle_leases SET expires_at = ? WHERE name = ? AND holder = ?",
                clock.millis() + LEASE_MILLIS, LEASE, node));
    }

    private void releaseLease() {
        db.write(c -> SqlDatabase.update(c, "UPDATE lifecycle_leases SET expires_at = 0 WHERE name = ? AND holder = ?",
                LEASE, node));
    }
}
