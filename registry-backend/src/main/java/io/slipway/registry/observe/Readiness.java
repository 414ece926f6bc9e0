package io.slipway.registry.observe;

import io.slipway.oci.Digest;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.storage.BlobStore;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether this node can serve: the metadata database answers a query and the blob store answers a
 * lookup, each within a few seconds. A probe that cannot establish either says which and why
 * (fail closed: a check that hangs is a failure, not a pass).
 */
public final class Readiness implements AutoCloseable {
    /** An object no store holds: looking it up reaches the store (a HEAD on S3) and finds nothing. */
    private static final Digest PROBE = Digest.sha256("slipway readiness probe".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    private static final long TIMEOUT_MILLIS = 3000;

    private final SqlDatabase database;
    private final BlobStore blobs;
    private final ExecutorService checks = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "registry-readiness");
        t.setDaemon(true);
        return t;
    });

    public Readiness(SqlDatabase database, BlobStore blobs) {
        this.database = database;
        this.blobs = blobs;
    }

    /** The reasons this node is not ready; empty when it is. */
    public List<String> problems() {
        Future<?> db = checks.submit(() -> database.read(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT 1");
            }
            return null;
        }));
        Future<?> store = checks.submit(() -> {
            blobs.size(PROBE);
            return null;
        });
        List<String> problems = new ArrayList<>();
        check("metadata database", db, problems);
        check("blob store", store, problems);
        return problems;
    }

    private static void check(String what, Future<?> f, List<String> problems) {
        try {
            f.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            problems.add(what + ": no answer within " + TIMEOUT_MILLIS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add(what + ": interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            problems.add(what + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
