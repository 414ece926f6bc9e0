package io.slipway.registry.lifecycle;

import static io.slipway.registry.lifecycle.GcImages.CONFIG;
import static io.slipway.registry.lifecycle.GcImages.assertPullsBitExact;
import static io.slipway.registry.lifecycle.GcImages.manifest;
import static io.slipway.registry.lifecycle.GcImages.random;
import static io.slipway.testing.RegistryHttp.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.config.LifecycleSettings;
import io.slipway.registry.storage.S3Settings;
import io.slipway.testing.RegistryHttp;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Online garbage collection on both stacks (SQLite + files, PostgreSQL + S3Proxy): what nothing
 * reaches is freed, what a manifest, the trash or a recent upload reaches is kept, and pushes running
 * during sweeps never lose a blob their manifest references. The grace period is zero here, the
 * harshest setting: only the lock and the re-check protect a push.
 */
class GarbageCollectionTest {
    private static final String NS = "team-gc";

    @TempDir
    Path dir;
    private StackRegistry registry;
    private RegistryHttp http;
    private S3Settings s3;

    static Stream<String> stacks() {
        return StackRegistry.stacks();
    }

    void start(String stack, Duration grace) throws Exception {
        registry = StackRegistry.start(stack, dir, 8,
                c -> c.withLifecycle(new LifecycleSettings(Duration.ofDays(30), Duration.ZERO, grace)), NS);
        http = registry.http;
        s3 = registry.s3;
    }

    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    JsonNode api(String method, String path, String body, int expected) throws Exception {
        return registry.api(method, path, body, expected);
    }

    JsonNode gc(boolean dryRun) throws Exception {
        return api("POST", "/api/v1/gc", "{\"dryRun\":" + dryRun + "}", 201);
    }

    /** The digests whose bytes the blob store holds, listed from the store itself. */
    Set<String> stored() throws Exception {
        return new HashSet<>(storedSizes().keySet());
    }

    /** The digests whose bytes the blob store holds with their sizes, listed from the store itself. */
    Map<String, Long> storedSizes() throws Exception {
        if (s3 == null) {
            return GcImages.stored(null, null, dir);
        }
        try (S3Client client = s3.client()) {
            return GcImages.stored(client, s3, dir);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void freesWhatNothingReachesAndKeepsTheRest(String stack) throws Exception {
        start(stack, Duration.ZERO); // nothing runs concurrently here: what is unreferenced is garbage at once
        String repo = NS + "/app";
        byte[] shared = random(20_000, 1);
        byte[] onlyA = random(30_000, 2);
        http.pushBlob(repo, CONFIG);
        http.pushBlob(repo, shared);
        http.pushBlob(repo, onlyA);
        // Image a: config + onlyA; image b: config + shared. An orphan blob nobody references.
        Digest a = http.pushManifest(repo, "a", MediaTypes.OCI_MANIFEST, manifest(onlyA));
        Digest b = http.pushManifest(repo, "b", MediaTypes.OCI_MANIFEST, manifest(shared));
        byte[] orphan = random(40_000, 3);
        Digest o = http.pushBlob(repo, orphan);

        JsonNode dry = gc(true);
        assertThat(dry.path("digests").toString()).contains(o.toString()).doesNotContain(Digest.sha256(onlyA).toString());
        assertThat(dry.path("deleted").asInt()).isZero();
        assertThat(stored()).contains(o.toString());

        JsonNode swept = gc(false);
        assertThat(swept.path("deleted").asInt()).isEqualTo(1);
        assertThat(swept.path("bytesFreed").asLong()).isEqualTo(40_000);
        assertThat(stored()).doesNotContain(o.toString()).contains(a.toString(), b.toString(),
                Digest.sha256(onlyA).toString());
        assertThat(http.head("/v2/" + repo + "/blobs/" + o).statusCode()).isEqualTo(404);

        // In the trash, image a and its layer are kept; restored, it pulls whole.
        api("DELETE", "/api/v1/images?image=" + URLEncoder.encode(repo + ":a", StandardCharsets.UTF_8), null, 200);
        assertThat(gc(false).path("deleted").asInt()).isZero();
        api("POST", "/api/v1/images/restore", "{\"image\":\"" + repo + ":a\"}", 201);
        assertThat(http.get("/v2/" + repo + "/blobs/" + Digest.sha256(onlyA)).body()).isEqualTo(onlyA);

        // Deleted for good (the registry API's DELETE), its own layer and manifest go; the shared config stays.
        assertThat(http.delete("/v2/" + repo + "/manifests/" + a).statusCode()).isEqualTo(202);
        JsonNode last = gc(false);
        assertThat(last.path("digests").toString()).contains(a.toString(), Digest.sha256(onlyA).toString())
                .doesNotContain(Digest.sha256(CONFIG).toString()).doesNotContain(Digest.sha256(shared).toString());
        assertThat(stored()).containsExactlyInAnyOrder(b.toString(), Digest.sha256(CONFIG).toString(),
                Digest.sha256(shared).toString());
        HttpResponse<byte[]> pulled = http.get("/v2/" + repo + "/blobs/" + Digest.sha256(shared));
        assertThat(pulled.body()).isEqualTo(shared);
    }

    /** Puts bytes straight into the blob store, past the registry (and so its ledger), as a digest stored before V8. */
    Digest placeInStore(byte[] content) throws Exception {
        if (s3 == null) {
            return GcImages.place(null, null, dir, content);
        }
        try (S3Client client = s3.client()) {
            return GcImages.place(client, s3, dir, content);
        }
    }

    /**
     * Blobs the ledger never knew (orphans of before migration V8, when it was seeded from the
     * links and manifests only) are found by a walk of the blob store: on the first sweep of a
     * database, and on any sweep asked to walk.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void findsBlobsTheLedgerDoesNotKnow(String stack) throws Exception {
        start(stack, Duration.ZERO);
        String repo = NS + "/walk";
        byte[] layer = random(12_000, 7);
        http.pushBlob(repo, CONFIG);
        http.pushBlob(repo, layer);
        Digest image = http.pushManifest(repo, "v1", MediaTypes.OCI_MANIFEST, manifest(layer));
        Digest orphan = placeInStore(random(33_000, 8));

        JsonNode dry = gc(true);
        assertThat(dry.path("walk").path("unknown").asInt()).isEqualTo(1);
        assertThat(dry.path("walk").path("stored").asInt()).isEqualTo(4);
        assertThat(dry.path("digests").toString()).contains(orphan.toString());
        assertThat(stored()).contains(orphan.toString());

        JsonNode swept = gc(false);
        assertThat(swept.path("walk").path("unknown").asInt()).isEqualTo(1);
        assertThat(swept.path("digests").toString()).isEqualTo("[\"" + orphan + "\"]");
        assertThat(swept.path("bytesFreed").asLong()).isEqualTo(33_000);
        assertThat(stored()).containsExactlyInAnyOrder(image.toString(), Digest.sha256(layer).toString(),
                Digest.sha256(CONFIG).toString());
        assertThat(http.get("/v2/" + repo + "/blobs/" + Digest.sha256(layer)).body()).isEqualTo(layer);

        // Walked once for the database; a later sweep walks only when asked to.
        Digest later = placeInStore(random(1_000, 9));
        assertThat(gc(false).has("walk")).isFalse();
        assertThat(stored()).contains(later.toString());
        JsonNode walked = api("POST", "/api/v1/gc", "{\"walk\":true}", 201);
        assertThat(walked.path("digests").toString()).isEqualTo("[\"" + later + "\"]");
        assertThat(stored()).doesNotContain(later.toString());
        api("POST", "/api/v1/gc", "{\"walk\":\"yes\"}", 400);
    }

    /**
     * Longer than any push here takes from its first touch to its manifest's commit, on a loaded
     * machine too (the protocol's one assumption; the default is an hour).
     */
    private static final Duration GRACE = Duration.ofSeconds(10);

    /** How long the writers run: {@code -Dslipway.gc.stressSeconds}, 60 by default (the proof). */
    private static final long STRESS_SECONDS = Long.getLong("slipway.gc.stressSeconds", 60);

    /**
     * Eight writers push, tag, move to the trash and restore, and delete for good for
     * {@link #STRESS_SECONDS} while a sweep runs every second: afterwards every tagged image pulls
     * bit-exact, and after a final sweep the bytes in the blob store are exactly the bytes reachable.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void pushesDuringSweepsLoseNothing(String stack) throws Exception {
        start(stack, GRACE);
        int writers = 8;
        byte[] common = random(10_000, 99);
        Map<String, byte[]> tagged = new ConcurrentHashMap<>(); // repo:tag -> layer it must pull
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger sweeps = new AtomicInteger();
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger refusedPushes = new AtomicInteger();
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(STRESS_SECONDS);
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            Future<?> collector = pool.submit(() -> {
                while (!done.get()) {
                    long sweepStart = System.nanoTime();
                    gc(false);
                    sweeps.incrementAndGet();
                    long rest = 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sweepStart);
                    if (rest > 0 && !done.get()) {
                        Thread.sleep(rest);
                    }
                }
                return null;
            });
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                work.add(pool.submit(() -> {
                    String repo = NS + "/w" + writer;
                    for (int round = 0; System.nanoTime() < deadline; round++) {
                        byte[] layer = random(5_000 + round, writer * 100_000L + round);
                        String tag = "r" + round;
                        // Should a sweep take the blobs between their upload and the manifest (a push
                        // slower than the grace period), the push is refused, never half-stored, and tried again.
                        while (true) {
                            http.pushBlob(repo, CONFIG);
                            http.pushBlob(repo, layer);
                            http.pushBlob(repo, common);
                            HttpResponse<byte[]> r = http.put("/v2/" + repo + "/manifests/" + tag,
                                    manifest(layer).getBytes(StandardCharsets.UTF_8), "Content-Type",
                                    MediaTypes.OCI_MANIFEST);
                            if (r.statusCode() == 201) {
                                break;
                            }
                            assertThat(r.statusCode()).as(text(r)).isEqualTo(400);
                            assertThat(text(r)).contains("MANIFEST_BLOB_UNKNOWN");
                            refusedPushes.incrementAndGet();
                        }
                        tagged.put(repo + ":" + tag, layer);
                        switch (round % 4) {
                            case 0 -> {
                                // Tagged again, server-side: latest moves to this image (its r tag stays).
                                api("POST", "/api/v1/images/tag", "{\"source\":\"" + repo + ":" + tag
                                        + "\",\"target\":\"" + repo + ":latest\"}", 201);
                                tagged.put(repo + ":latest", layer);
                            }
                            case 1 -> {
                                // To the trash and back.
                                String image = URLEncoder.encode(repo + ":" + tag, StandardCharsets.UTF_8);
                                api("DELETE", "/api/v1/images?image=" + image, null, 200);
                                api("POST", "/api/v1/images/restore", "{\"image\":\"" + repo + ":" + tag + "\"}", 201);
                            }
                            case 2 -> {
                                // Deleted for good: its own layer and manifest become garbage.
                                Digest d = Digest.sha256(manifest(layer).getBytes(StandardCharsets.UTF_8));
                                assertThat(http.delete("/v2/" + repo + "/manifests/" + d).statusCode()).isEqualTo(202);
                                tagged.remove(repo + ":" + tag);
                            }
                            default -> {
                                // kept as pushed
                            }
                        }
                        rounds.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(STRESS_SECONDS + 600, TimeUnit.SECONDS);
            }
            done.set(true);
            collector.get(5, TimeUnit.MINUTES);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        long ran = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(sweeps.get()).isPositive();

        // Every tagged image pulls bit-exact: manifest, config and layers.
        assertPullsBitExact(http, tagged);

        // A final sweep, once the grace period has passed, leaves exactly the reachable bytes: every
        // tagged manifest, its config and layer.
        Thread.sleep(GRACE.toMillis() + 100);
        gc(false);
        Map<String, Long> reachable = new java.util.HashMap<>();
        for (byte[] layer : tagged.values()) {
            byte[] m = manifest(layer).getBytes(StandardCharsets.UTF_8);
            reachable.put(Digest.sha256(m).toString(), (long) m.length);
            reachable.put(Digest.sha256(layer).toString(), (long) layer.length);
            reachable.put(Digest.sha256(CONFIG).toString(), (long) CONFIG.length);
        }
        Map<String, Long> stored = storedSizes();
        assertThat(stored).containsExactlyInAnyOrderEntriesOf(reachable);
        long storedBytes = stored.values().stream().mapToLong(Long::longValue).sum();
        assertThat(storedBytes).isEqualTo(reachable.values().stream().mapToLong(Long::longValue).sum());
        System.out.printf("gc during pushes (%s): %d writers for %d ms, %d rounds, %d sweeps, %d pushes refused and"
                + " retried, %d tags kept, %d bytes stored = reachable%n", stack, writers, ran, rounds.get(),
                sweeps.get(), refusedPushes.get(), tagged.size(), storedBytes);
    }
}
