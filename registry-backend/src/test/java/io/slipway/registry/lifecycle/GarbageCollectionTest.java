package io.slipway.registry.lifecycle;

import static io.slipway.testing.RegistryHttp.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.LifecycleSettings;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import io.slipway.registry.storage.S3Settings;
import io.slipway.registry.testing.Images;
import io.slipway.registry.testing.PostgresServer;
import io.slipway.testing.RegistryHttp;
import io.slipway.registry.testing.S3Server;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "team-gc";

    @TempDir
    Path dir;
    private RegistryServer server;
    private RegistryHttp http;
    private S3Settings s3;

    static Stream<String> stacks() {
        return Stream.of("embedded", "postgres+s3");
    }

    void start(String stack, Duration grace) throws Exception {
        RegistryConfig config = RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(dir).withAuth("none")
                .withLifecycle(new LifecycleSettings(Duration.ofDays(30), Duration.ZERO, grace));
        if (stack.equals("postgres+s3")) {
            s3 = S3Server.shared().newBucket(5 << 20);
            config = config.withStores(new StoreSettings(StoreSettings.S3, s3, StoreSettings.POSTGRES,
                    PostgresServer.shared().newDatabase(8)));
        }
        server = RegistryServer.start(config);
        http = new RegistryHttp(server.uri());
        api("POST", "/api/v1/namespaces", "{\"name\":\"" + NS + "\"}", 201);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    JsonNode api(String method, String path, String body, int expected) throws Exception {
        HttpResponse<byte[]> r = http.send(http.request(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertThat(r.statusCode()).as(method + " " + path + ": " + text(r)).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    JsonNode gc(boolean dryRun) throws Exception {
        return api("POST", "/api/v1/gc", "{\"dryRun\":" + dryRun + "}", 201);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static final byte[] CONFIG = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);

    static String manifest(byte[] layer) {
        return Images.imageManifest(Digest.sha256(CONFIG), CONFIG.length, Digest.sha256(layer), layer.length);
    }

    /** The digests whose bytes the blob store holds, listed from the store itself. */
    Set<String> stored() throws Exception {
        Set<String> digests = new HashSet<>();
        if (s3 != null) {
            try (S3Client client = s3.client()) {
                client.listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix("blobs/")).contents()
                        .forEach(o -> digests.add("sha256:" + o.key().substring(o.key().lastIndexOf('/') + 1)));
                digests.remove("sha256:"); // S3Proxy's file system lists its folders too
            }
        } else {
            try (Stream<Path> files = Files.walk(dir.resolve("blobs"))) {
                files.filter(Files::isRegularFile).forEach(f -> digests.add("sha256:" + f.getFileName()));
            }
        }
        return digests;
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

    /**
     * Longer than any push here takes from its first touch to its manifest's commit, on a loaded
     * machine too (the protocol's one assumption; the default is an hour).
     */
    private static final Duration GRACE = Duration.ofSeconds(10);

    /**
     * Four writers push, re-tag, delete and restore while sweeps run back to back: afterwards every
     * tagged image pulls bit-exact, and after a final sweep the store holds exactly what is reachable.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void pushesDuringSweepsLoseNothing(String stack) throws Exception {
        start(stack, GRACE);
        int writers = 4;
        int rounds = 15;
        byte[] common = random(10_000, 99);
        Map<String, byte[]> tagged = new ConcurrentHashMap<>(); // repo:tag -> layer it must pull
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger sweeps = new AtomicInteger();
        AtomicInteger refusedPushes = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            Future<?> collector = pool.submit(() -> {
                while (!done.get()) {
                    gc(false);
                    sweeps.incrementAndGet();
                }
                return null;
            });
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                work.add(pool.submit(() -> {
                    String repo = NS + "/w" + writer;
                    for (int round = 0; round < rounds; round++) {
                        byte[] layer = random(5_000 + round, writer * 1000L + round);
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
                        if (round % 3 == 1) {
                            // To the trash and back.
                            String image = URLEncoder.encode(repo + ":" + tag, StandardCharsets.UTF_8);
                            api("DELETE", "/api/v1/images?image=" + image, null, 200);
                            api("POST", "/api/v1/images/restore", "{\"image\":\"" + repo + ":" + tag + "\"}", 201);
                        } else if (round % 3 == 2) {
                            // Deleted for good: its own layer and manifest become garbage.
                            Digest d = Digest.sha256(manifest(layer).getBytes(StandardCharsets.UTF_8));
                            assertThat(http.delete("/v2/" + repo + "/manifests/" + d).statusCode()).isEqualTo(202);
                            tagged.remove(repo + ":" + tag);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(10, TimeUnit.MINUTES);
            }
            done.set(true);
            collector.get(5, TimeUnit.MINUTES);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertThat(sweeps.get()).isPositive();

        // Every tagged image pulls bit-exact: manifest, config and layers.
        for (Map.Entry<String, byte[]> e : tagged.entrySet()) {
            String repo = e.getKey().substring(0, e.getKey().indexOf(':'));
            String tag = e.getKey().substring(e.getKey().indexOf(':') + 1);
            HttpResponse<byte[]> m = http.get("/v2/" + repo + "/manifests/" + tag, "Accept", MediaTypes.OCI_MANIFEST);
            assertThat(m.statusCode()).as(e.getKey() + " " + text(m)).isEqualTo(200);
            assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo(manifest(e.getValue()));
            for (byte[] blob : List.of(CONFIG, e.getValue())) {
                HttpResponse<byte[]> r = http.get("/v2/" + repo + "/blobs/" + Digest.sha256(blob));
                assertThat(r.statusCode()).as(e.getKey() + " " + text(r)).isEqualTo(200);
                assertThat(r.body()).isEqualTo(blob);
            }
        }

        // A final sweep, once the grace period has passed, leaves exactly the reachable bytes: every
        // tagged manifest, its config and layer.
        Thread.sleep(GRACE.toMillis() + 100);
        gc(false);
        Set<String> reachable = new HashSet<>();
        for (byte[] layer : tagged.values()) {
            reachable.add(Digest.sha256(manifest(layer).getBytes(StandardCharsets.UTF_8)).toString());
            reachable.add(Digest.sha256(layer).toString());
            reachable.add(Digest.sha256(CONFIG).toString());
        }
        assertThat(stored()).containsExactlyInAnyOrderElementsOf(reachable);
        System.out.printf("gc during pushes (%s): %d writers x %d rounds, %d sweeps, %d pushes refused and retried,"
                + " %d images kept%n", stack, writers, rounds, sweeps.get(), refusedPushes.get(), tagged.size());
    }
}
