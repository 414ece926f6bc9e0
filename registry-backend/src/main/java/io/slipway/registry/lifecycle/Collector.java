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

    /**
     * What a sweep found and freed (or, dry, would free): {@code digests} are those, of which
     * {@code manifests} were stored as a manifest's bytes and {@code blobs} as blobs (layers,
     * configs); {@code walk} is the walk of the store this sweep made, or null.
     */
    public record Report(boolean dryRun, int candidates, int deleted, long bytesFreed, List<String> digests,
            int blobs, int manifests, Walk walk) {
    }

    /** A walk of the blob store: how many blobs it holds and how many of them the ledger did not know. */
    public record Walk(int stored, int unknown) {
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
        if (db.singleProcess()) {
            // the embedded database is this process's alone: a sweep it records as running died with
            // the process before this one, and must not keep this one from sweeping until it expires
            db.write(c -> SqlDatabase.update(c, "UPDATE lifecycle_leases SET expires_at = 0 WHERE name = ?", LEASE));
        }
    }

    /**
     * Records that {@code digests} are being made reachable (stored, linked or referenced) now: a
     * sweep spares them for the grace period. Waits while a sweep deletes.
     */
    void touch(Collection<Digest> digests, long size, boolean manifest) {
        if (digests.isEmpty()) {
            return;
        }
        long now = clock.millis();
        db.write(c -> {
            db.shareOn(c, LOCK);
            for (Digest d : digests) {
                SqlDatabase.update(c, "INSERT INTO blob_ledger(digest, size, touched_at, manifest) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (digest) DO UPDATE SET touched_at = excluded.touched_at, size = CASE WHEN "
                        + "excluded.size >= 0 THEN excluded.size ELSE blob_ledger.size END, manifest = CASE WHEN "
                        + "excluded.manifest = 1 THEN 1 ELSE blob_ledger.manifest END", d.toString(), size, now,
                        manifest ? 1 : 0);
            }
            return null;
        });
    }

    /** Reached by nothing: no manifest is it or references it, no trash entry is it or references it. */
    private static final String UNREACHED = "NOT EXISTS (SELECT 1 FROM manifests m WHERE m.digest = l.digest) "
            + "AND NOT EXISTS (SELECT 1 FROM manifest_references r WHERE r.digest = l.digest) "
            + "AND NOT EXISTS (SELECT 1 FROM trash t WHERE t.digest = l.digest OR t.refs LIKE '%' || l.digest || '%')";

    /** Garbage: in the ledger, untouched for the grace period, and reached by nothing. */
    private static final String GARBAGE = "l.touched_at < ? AND " + UNREACHED;

    private record Candidate(String digest, long size, boolean manifest) {
    }

    /** Sweeps once; refused while another node holds the lease. */
    public Report collect(boolean dryRun) {
        return collect(dryRun, false);
    }

    /**
     * Sweeps once, first walking the blob store for digests the ledger does not know when no walk
     * has completed yet on this database, or when {@code walk} asks for one; refused while another
     * node holds the lease. Every sweep asked for is told to the {@link Sweeps} listener.
     */
    public Report collect(boolean dryRun, boolean walk) {
        long start = System.nanoTime();
        long[] freed = {0};
        int[] deleted = {0};
        Outcome outcome = Outcome.FAILED;
        try {
            Report report = sweep(dryRun, walk, deleted, freed);
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
    private Report sweep(boolean dryRun, boolean walk, int[] deletedSoFar, long[] freedSoFar) {
        if (!takeLease()) {
            throw TenancyException.conflict("garbage collection is running on another node; try again later");
        }
        java.util.concurrent.ScheduledFuture<?> renewal = RENEWER.scheduleAtFixedRate(() -> {
            try {
                renewLease();
            } catch (RuntimeException e) {
                LOG.warn("garbage collection could not renew its lease: {}", e.toString());
            }
        }, RENEW_MILLIS, RENEW_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            long cutoff = clock.millis() - grace.toMillis();
            Walk walked = null;
            List<Candidate> unknown = List.of();
            if (walk || db.list("SELECT 1 FROM gc_store_walks", rs -> 1).isEmpty()) {
                Found found = unknownToLedger();
                if (found != null) {
                    walked = new Walk(found.stored(), found.unknown().size());
                    unknown = dryRun ? unreached(found.unknown(), cutoff) : List.of();
                    if (!dryRun) {
                        enter(found.unknown(), walked);
                    }
                }
            }
            List<Candidate> candidates = new ArrayList<>(db.list("SELECT l.digest, l.size, l.manifest FROM blob_ledger l "
                    + "WHERE " + GARBAGE + " ORDER BY l.digest",
                    rs -> new Candidate(rs.getString(1), rs.getLong(2), rs.getInt(3) == 1), cutoff));
            List<String> deleted = new ArrayList<>();
            long freed = 0;
            int manifests = 0;
            if (dryRun) {
                // what the walk found is not entered by a dry run: judged here as the sweep would
                candidates.addAll(unknown);
                for (Candidate c : candidates) {
                    deleted.add(c.digest());
                    freed += Math.max(0, c.size());
                    manifests += c.manifest() ? 1 : 0;
                }
                return new Report(true, candidates.size(), 0, freed, deleted, deleted.size() - manifests, manifests,
                        walked);
            }
            for (int i = 0; i < candidates.size(); i += BATCH) {
                List<Candidate> batch = candidates.subList(i, Math.min(candidates.size(), i + BATCH));
                long[] batchFreed = {0};
                int[] batchManifests = {0};
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
                        boolean held;
                        try {
                            held = blobs.delete(Digest.parse(candidate.digest()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        if (!held) {
                            continue; // a sweep killed after deleting the bytes: the row is gone now, nothing freed here
                        }
                        LOG.debug("garbage collection deleted {}", candidate.digest());
                        batchDeleted.add(candidate.digest());
                        batchFreed[0] += Math.max(0, candidate.size());
                        batchManifests[0] += candidate.manifest() ? 1 : 0;
                    }
                    return null;
                });
                deleted.addAll(batchDeleted);
                freed += batchFreed[0];
                deletedSoFar[0] += batchDeleted.size();
                freedSoFar[0] += batchFreed[0];
                manifests += batchManifests[0];
            }
            if (!deleted.isEmpty()) {
                LOG.info("garbage collection freed {} blobs, {} bytes", deleted.size(), freed);
            }
            return new Report(false, candidates.size(), deleted.size(), freed, deleted, deleted.size() - manifests,
                    manifests, walked);
        } finally {
            renewal.cancel(false);
            releaseLease();
        }
    }

    private record Found(int stored, List<BlobStore.Listed> unknown) {
    }

    /**
     * The blobs the store holds that the ledger does not know: digests stored before V8 that its
     * seed missed (orphans of that time), or bytes put there by hand. The store is listed before
     * the ledger is read, so a blob placed meanwhile, whose touch committed before its bytes were
     * placed, is in the ledger read. Null when the store cannot be listed (the sweep goes on without).
     */
    private Found unknownToLedger() {
        List<BlobStore.Listed> stored;
        try {
            stored = blobs.listBlobs();
        } catch (IOException | RuntimeException e) {
            LOG.warn("garbage collection could not walk the blob store ({}); digests the ledger does not know stay "
                    + "until a later sweep walks it", e.toString());
            return null;
        }
        java.util.Set<String> known = new java.util.HashSet<>(db.list("SELECT digest FROM blob_ledger",
                rs -> rs.getString(1)));
        List<BlobStore.Listed> unknown = new ArrayList<>();
        for (BlobStore.Listed b : stored) {
            if (!known.contains(b.digest().toString())) {
                unknown.add(b);
            }
        }
        return new Found(stored.size(), unknown);
    }

    /**
     * Enters what the walk found into the ledger as touched when its bytes were written, so the
     * sweep judges it like any digest; a touch meanwhile wins (the row exists: nothing is changed),
     * as does a manifest that references it. Then records the walk.
     */
    private void enter(List<BlobStore.Listed> found, Walk walk) {
        for (int i = 0; i < found.size(); i += 500) {
            List<BlobStore.Listed> batch = found.subList(i, Math.min(found.size(), i + 500));
            db.write(c -> {
                db.shareOn(c, LOCK);
                for (BlobStore.Listed b : batch) {
                    SqlDatabase.update(c, "INSERT INTO blob_ledger(digest, size, touched_at, manifest) VALUES (?, ?, ?, 0) "
                            + "ON CONFLICT (digest) DO NOTHING", b.digest().toString(), b.size(), b.modifiedMillis());
                }
                return null;
            });
        }
        db.write(c -> SqlDatabase.update(c, "INSERT INTO gc_store_walks(walked_at, node, stored, found) VALUES (?, ?, ?, ?)",
                clock.millis(), node, walk.stored(), walk.unknown()));
        if (!found.isEmpty()) {
            LOG.info("garbage collection found {} blobs the ledger did not know in the blob store", found.size());
        }
    }

    /** For a dry run: which of the walk's finds a sweep would take (old enough and reached by nothing). */
    private List<Candidate> unreached(List<BlobStore.Listed> found, long cutoff) {
        List<Candidate> garbage = new ArrayList<>();
        for (BlobStore.Listed b : found) {
            if (b.modifiedMillis() < cutoff && !db.list("SELECT 1 FROM (SELECT CAST(? AS TEXT) AS digest) l WHERE " + UNREACHED,
                    rs -> 1, b.digest().toString()).isEmpty()) {
                garbage.add(new Candidate(b.digest().toString(), b.size(), false));
            }
        }
        return garbage;
    }

    /**
     * How long a sweep's lease outlives its holder's last renewal: a killed node's lease passes to
     * the next sweep after this. Renewed every {@link #RENEW_MILLIS} while a sweep runs, whatever
     * its batches take. Two sweeps at once (a holder stalled past this) are safe, only wasteful:
     * every delete is re-checked under the exclusive lock.
     */
    private static final long LEASE_MILLIS = 30_000L;
    private static final long RENEW_MILLIS = 5_000L;
    private static final java.util.concurrent.ScheduledExecutorService RENEWER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gc-lease");
                t.setDaemon(true);
                return t;
            });

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
        // expires_at > 0: a renewal that runs late, after the release, does not take the lease again
        db.write(c -> SqlDatabase.update(c, "UPDATE lifecycle_leases SET expires_at = ? WHERE name = ? AND holder = ? "
                + "AND expires_at > 0", clock.millis() + LEASE_MILLIS, LEASE, node));
    }

    private void releaseLease() {
        db.write(c -> SqlDatabase.update(c, "UPDATE lifecycle_leases SET expires_at = 0 WHERE name = ? AND holder = ?",
                LEASE, node));
    }
}
