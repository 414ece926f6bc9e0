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
    /**
     * The lock space of the sweep (exclusive) against the touches (shared), one key per digest
     * ({@link #keys}): a sweep's batch makes wait only the touches of its own digests, never a push
     * of anything else (on SQLite its one writer serializes every write anyway).
     */
    static final int LOCK = 0x5117_6C20;
    private static final String LEASE = "gc";

    private final SqlDatabase db;
    private final BlobStore blobs;
    private final Clock clock;
    private final Duration grace;
    private final String node;
    /** The per-digest exclusion in this process, where it alone uses the database (SQLite); else null. */
    private final Gate gate;

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
        this.gate = db.singleProcess() ? gateOf(db) : null;
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
        List<String> named = digests.stream().map(Digest::toString).toList();
        List<Integer> keys = keys(named);
        if (gate != null) {
            gate.enterTouch(named);
        }
        try {
            write(digests, size, manifest, now, keys);
        } finally {
            if (gate != null) {
                gate.exitTouch(named);
            }
        }
    }

    private void write(Collection<Digest> digests, long size, boolean manifest, long now, List<Integer> keys) {
        db.write(c -> {
            db.shareOn(c, LOCK, keys);
            // in order: two touches of the same digests wait on each other's rows in one order, never in a cycle
            for (Digest d : digests.stream().sorted(java.util.Comparator.comparing(Digest::toString)).toList()) {
                SqlDatabase.update(c, "INSERT INTO blob_ledger(digest, size, touched_at, manifest) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (digest) DO UPDATE SET touched_at = excluded.touched_at, size = CASE WHEN "
                        + "excluded.size >= 0 THEN excluded.size ELSE blob_ledger.size END, manifest = CASE WHEN "
                        + "excluded.manifest = 1 THEN 1 ELSE blob_ledger.manifest END", d.toString(), size, now,
                        manifest ? 1 : 0);
            }
            return null;
        });
    }

    /**
     * Where a digest is reached from: the {@code digest} column of each of these tables (a manifest
     * is it; a manifest references it as config, layer or child; a trash entry is it; a trash entry
     * references it, V15). Each has an index on {@code digest}, so every question below is an index
     * probe per digest, never a scan. The one definition of reachable, for the mark, the re-check
     * and the dry run's judgement of what a walk found.
     */
    private static final List<String> ROOTS = List.of("manifests", "manifest_references", "trash", "trash_references");

    /** Reached by nothing: no manifest is it or references it, no trash entry is it or references it. */
    private static final String UNREACHED = String.join(" AND ", ROOTS.stream()
            .map(t -> "NOT EXISTS (SELECT 1 FROM " + t + " x WHERE x.digest = l.digest)").toList());

    /** Garbage: in the ledger, untouched for the grace period (or doomed, -1), and reached by nothing. */
    private static final String GARBAGE = "l.touched_at < ? AND " + UNREACHED;

    /**
     * Digests per batch: one set-based re-check and one bulk delete of bytes under the batch's
     * per-digest locks. Small enough that a push of the same digests waits briefly and that the
     * sweep's SQL holds SQLite's one writer a few milliseconds at a time, large enough that a sweep
     * of 50,000 digests is a few hundred round trips.
     */
    private static final int BATCH = 100;

    /** {@code leftover}: doomed (touched_at -1) before this sweep, by one that died before deleting its bytes. */
    private record Candidate(String digest, long size, boolean manifest, boolean leftover) {
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

    /** Where a sweep's time went, in milliseconds, for its log line. */
    private static final class Phases {
        long walk;
        long mark;
        long unlink;
        long delete;
        int batches;

        static long since(long nanos) {
            return (System.nanoTime() - nanos) / 1_000_000;
        }

        @Override
        public String toString() {
            return "walk " + walk + " ms, mark " + mark + " ms, unlink " + unlink + " ms, delete " + delete + " ms, "
                    + batches + " batches";
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
            long begun = System.nanoTime();
            Phases phases = new Phases();
            long cutoff = clock.millis() - grace.toMillis();
            Walk walked = null;
            List<Candidate> unknown = List.of();
            if (walk || db.list("SELECT 1 FROM gc_store_walks", rs -> 1).isEmpty()) {
                long t = System.nanoTime();
                Found found = unknownToLedger();
                if (found != null) {
                    walked = new Walk(found.stored(), found.unknown().size());
                    unknown = dryRun ? unreached(found.unknown(), cutoff) : List.of();
                    if (!dryRun) {
                        enter(found.unknown(), walked);
                    }
                }
                phases.walk = Phases.since(t);
            }
            // The mark: one query, an index probe per ledger row into each root.
            long t = System.nanoTime();
            List<Candidate> candidates = new ArrayList<>(db.list("SELECT l.digest, l.size, l.manifest, l.touched_at "
                    + "FROM blob_ledger l WHERE " + GARBAGE + " ORDER BY l.digest",
                    rs -> new Candidate(rs.getString(1), rs.getLong(2), rs.getInt(3) == 1, rs.getLong(4) == -1), cutoff));
            phases.mark = Phases.since(t);
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
                List<Candidate> gone = sweepBatch(batch, cutoff, phases);
                long batchFreed = 0;
                for (Candidate c : gone) {
                    deleted.add(c.digest());
                    batchFreed += Math.max(0, c.size());
                    manifests += c.manifest() ? 1 : 0;
                }
                freed += batchFreed;
                deletedSoFar[0] += gone.size();
                freedSoFar[0] += batchFreed;
                phases.batches++;
            }
            if (!deleted.isEmpty()) {
                LOG.info("garbage collection freed {} blobs, {} bytes in {} ms ({})", deleted.size(), freed,
                        Phases.since(begun), phases);
            } else {
                LOG.debug("garbage collection freed nothing in {} ms ({})", Phases.since(begun), phases);
            }
            return new Report(false, candidates.size(), deleted.size(), freed, deleted, deleted.size() - manifests,
                    manifests, walked);
        } finally {
            renewal.cancel(false);
            releaseLease();
        }
    }

    /**
     * One batch in two short transactions under the exclusive lock, a statement or three each
     * whatever the batch's size; between them, and after, the lock is free for the pushes waiting.
     * The candidates whose bytes it deleted (and the store held) are returned.
     */
    private List<Candidate> sweepBatch(List<Candidate> batch, long cutoff, Phases phases) {
        List<String> digests = batch.stream().map(Candidate::digest).toList();
        if (gate == null) {
            return sweepBatch(batch, digests, cutoff, phases);
        }
        // One process owns the database: the touches of these digests wait at the gate, in this
        // process, so the bytes can go outside the one writer's transactions, which every push needs.
        gate.enterDelete(digests);
        try {
            return sweepBatch(batch, digests, cutoff, phases);
        } finally {
            gate.exitDelete(digests);
        }
    }

    private List<Candidate> sweepBatch(List<Candidate> batch, List<String> digests, long cutoff, Phases phases) {
        // First the re-check, under the lock, with a fresh read: a touch or a reference since the
        // mark spares a digest. What is still garbage loses its repository links and its row is
        // doomed (touched_at -1), committed before any byte is deleted: a repository never links a
        // digest whose bytes are gone.
        long t = System.nanoTime();
        List<Integer> keys = keys(digests);
        List<String> doomed = db.write(c -> {
            db.serializeOn(c, LOCK, keys);
            List<Object> args = new ArrayList<>(digests);
            args.add(cutoff);
            List<String> garbage = SqlDatabase.list(c, "SELECT l.digest FROM blob_ledger l WHERE l.digest IN ("
                    + marks(digests.size()) + ") AND " + GARBAGE, rs -> rs.getString(1), args.toArray());
            if (garbage.isEmpty()) {
                return garbage;
            }
            int unlinked = SqlDatabase.update(c, "DELETE FROM repository_blobs WHERE digest IN (" + marks(garbage.size())
                    + ")", garbage.toArray());
            SqlDatabase.update(c, "UPDATE blob_ledger SET touched_at = -1 WHERE digest IN (" + marks(garbage.size()) + ")",
                    garbage.toArray());
            if (unlinked > 0) {
                // every node's read cache (metadata.CachingMetadataStore) may hold these links
                SqlMetadataStore.changed(c);
            }
            return garbage;
        });
        phases.unlink += Phases.since(t);
        if (doomed.isEmpty()) {
            return List.of();
        }
        t = System.nanoTime();
        List<Candidate> gone;
        if (gate != null) {
            // The gate holds every touch of these digests, so nothing revives a doomed row: first the
            // bytes, with no transaction open, then the rows. Killed in between, the doomed rows are
            // garbage for the next sweep, which finishes.
            java.util.Set<String> doomedSet = new java.util.HashSet<>(doomed);
            List<Candidate> held = deleteBytes(batch.stream().filter(x -> doomedSet.contains(x.digest())).toList());
            java.util.Set<String> rows = new java.util.HashSet<>(db.write(c -> SqlDatabase.list(c, "DELETE FROM "
                    + "blob_ledger WHERE digest IN (" + marks(doomed.size()) + ") AND touched_at = -1 RETURNING digest",
                    rs -> rs.getString(1), doomed.toArray())));
            gone = held.stream().filter(x -> rows.contains(x.digest())).toList();
        } else {
            // The bytes of what is still doomed (a touch since revives a digest) and their rows, in one
            // transaction under the digests' locks: no touch of them commits between the check and
            // the delete. Killed anywhere here, the doomed rows are garbage for the next sweep.
            gone = db.write(c -> {
                db.serializeOn(c, LOCK, keys);
                java.util.Set<String> still = new java.util.HashSet<>(SqlDatabase.list(c, "DELETE FROM blob_ledger "
                        + "WHERE digest IN (" + marks(doomed.size()) + ") AND touched_at = -1 RETURNING digest",
                        rs -> rs.getString(1), doomed.toArray()));
                return deleteBytes(batch.stream().filter(x -> still.contains(x.digest())).toList());
            });
        }
        phases.delete += Phases.since(t);
        for (Candidate candidate : gone) {
            LOG.debug("garbage collection deleted {}", candidate.digest());
        }
        return gone;
    }

    /** Deletes the candidates' bytes; those whose bytes the store held. */
    private List<Candidate> deleteBytes(List<Candidate> doomed) {
        List<Candidate> fresh = new ArrayList<>();
        List<Candidate> held = new ArrayList<>();
        try {
            for (Candidate candidate : doomed) {
                if (candidate.leftover()) {
                    // doomed by a sweep that died: its bytes may be gone already, and only bytes
                    // actually found count as freed, so this one is asked for by itself
                    if (blobs.delete(Digest.parse(candidate.digest()))) {
                        held.add(candidate);
                    }
                } else {
                    fresh.add(candidate);
                }
            }
            java.util.Set<Digest> found = blobs.deleteAll(fresh.stream().map(x -> Digest.parse(x.digest())).toList());
            for (Candidate candidate : fresh) {
                if (found.contains(Digest.parse(candidate.digest()))) {
                    held.add(candidate);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return held;
    }

    /** One gate per database, whatever the collectors on it (a benchmark's set-up makes two). */
    private static final java.util.Map<SqlDatabase, Gate> GATES = new java.util.WeakHashMap<>();

    private static Gate gateOf(SqlDatabase db) {
        synchronized (GATES) {
            return GATES.computeIfAbsent(db, k -> new Gate());
        }
    }

    /**
     * The sweep's exclusion per digest within one process, for a database only this process uses
     * (SQLite): a touch waits while a sweep's batch holds one of its digests, and a batch waits
     * while a touch of one of its digests runs. Both wait here, before the writer, never holding it.
     */
    static final class Gate {
        private final java.util.Map<String, Integer> touching = new java.util.HashMap<>();
        private final java.util.Set<String> deleting = new java.util.HashSet<>();

        synchronized void enterTouch(Collection<String> digests) {
            while (digests.stream().anyMatch(deleting::contains)) {
                await();
            }
            for (String d : digests) {
                touching.merge(d, 1, Integer::sum);
            }
        }

        synchronized void exitTouch(Collection<String> digests) {
            for (String d : digests) {
                touching.computeIfPresent(d, (k, n) -> n == 1 ? null : n - 1);
            }
            notifyAll();
        }

        synchronized void enterDelete(Collection<String> digests) {
            while (digests.stream().anyMatch(d -> touching.containsKey(d) || deleting.contains(d))) {
                await();
            }
            deleting.addAll(digests);
        }

        synchronized void exitDelete(Collection<String> digests) {
            deleting.removeAll(digests);
            notifyAll();
        }

        private void await() {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for garbage collection", e);
            }
        }
    }

    /** The lock keys of digests: the first 32 bits of each one's hash (a collision only makes one wait). */
    static List<Integer> keys(Collection<String> digests) {
        List<Integer> keys = new ArrayList<>();
        for (String d : digests) {
            String hex = d.substring(d.indexOf(':') + 1);
            keys.add((int) Long.parseLong(hex.substring(0, Math.min(8, hex.length())), 16));
        }
        return keys;
    }

    /** {@code ?, ?, …}: {@code n} placeholders for an IN list. */
    private static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
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
            List<Integer> keys = keys(batch.stream().map(b -> b.digest().toString()).toList());
            db.write(c -> {
                db.shareOn(c, LOCK, keys);
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

    /**
     * For a dry run: which of the walk's finds a sweep would take (old enough and reached by
     * nothing), asked a batch at a time: one query per batch finds those a root reaches.
     */
    private List<Candidate> unreached(List<BlobStore.Listed> found, long cutoff) {
        List<Candidate> garbage = new ArrayList<>();
        for (int i = 0; i < found.size(); i += 500) {
            List<BlobStore.Listed> batch = found.subList(i, Math.min(found.size(), i + 500));
            List<String> digests = batch.stream().map(b -> b.digest().toString()).toList();
            List<Object> args = new ArrayList<>();
            for (int r = 0; r < ROOTS.size(); r++) {
                args.addAll(digests);
            }
            java.util.Set<String> reached = new java.util.HashSet<>(db.list(String.join(" UNION ", ROOTS.stream()
                    .map(t -> "SELECT digest FROM " + t + " WHERE digest IN (" + marks(digests.size()) + ")").toList()),
                    rs -> rs.getString(1), args.toArray()));
            for (BlobStore.Listed b : batch) {
                if (b.modifiedMillis() < cutoff && !reached.contains(b.digest().toString())) {
                    garbage.add(new Candidate(b.digest().toString(), b.size(), false, false));
                }
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
