package io.slipway.registry.lifecycle;

import static io.slipway.registry.lifecycle.GcImages.CONFIG;
import static io.slipway.registry.lifecycle.GcImages.assertPullsBitExact;
import static io.slipway.registry.lifecycle.GcImages.manifest;
import static io.slipway.registry.lifecycle.GcImages.random;
import static io.slipway.testing.RegistryHttp.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.storage.S3Settings;
import io.slipway.registry.testing.PostgresServer;
import io.slipway.registry.testing.S3Server;
import io.slipway.registry.testing.ServerMain;
import io.slipway.testing.RegistryHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The registry runs in a child JVM and is killed with SIGKILL while a garbage collection sweep
 * deletes (seen from outside: the blob store has lost some of the garbage but not all of it). A
 * real kill, no fault hook: thousands of garbage digests make the sweep long enough to be hit.
 * Restarted on the same data, nothing tagged is lost, no repository links bytes that are gone,
 * and the next sweep frees exactly what is left of the garbage.
 */
class GcKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private S3Settings s3;

    static Stream<String> stacks() {
        return StackRegistry.stacks();
    }

    Path config(String stack) throws Exception {
        StringBuilder yaml = new StringBuilder("auth: {mode: none}\ngc: {interval: 0s, grace: 0s}\n");
        if (stack.equals("postgres+s3")) {
            var pg = PostgresServer.shared().newDatabase(6);
            s3 = S3Server.shared().newBucket(5 << 20);
            yaml.append(String.join("\n", "storage:", "  driver: s3", "  bucket: " + s3.bucket(),
                    "  endpoint: " + s3.endpoint(), "  region: us-east-1", "  pathStyle: true",
                    "  accessKey: " + S3Server.ACCESS_KEY, "  secretKey: " + S3Server.SECRET_KEY,
                    "  partSize: " + (5 << 20), "metadata:", "  driver: postgres", "  url: " + pg.url(),
                    "  user: " + pg.user(), "  poolSize: 6", ""));
        }
        Path file = dir.resolve("slipway.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    Map<String, Long> stored(S3Client client, Path data) throws Exception {
        return GcImages.stored(client, s3, data);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void killedDuringASweepLosesNothingAndTheNextSweepFinishes(String stack) throws Exception {
        Path config = config(stack);
        Path data = dir.resolve("data");
        Path log = dir.resolve("registry.log");
        S3Client client = s3 == null ? null : s3.client();
        int orphans = s3 == null ? 3000 : 500;
        Map<String, byte[]> tagged = new HashMap<>(); // repo:tag -> layer
        Set<Digest> deletedLayers = new HashSet<>();
        Map<String, Long> reachable = new HashMap<>();
        Process first = ServerMain.launch(data, log, config);
        int atKill;
        try {
            RegistryHttp http = new RegistryHttp(URI.create("http://127.0.0.1:" + ServerMain.awaitReady(first)));
            for (int i = 0; i < 12; i++) {
                String repo = "kill/app" + (i % 3);
                byte[] layer = random(4_000 + i, i);
                http.pushBlob(repo, CONFIG);
                http.pushBlob(repo, layer);
                Digest m = http.pushManifest(repo, "v" + i, MediaTypes.OCI_MANIFEST, manifest(layer));
                if (i % 2 == 0) {
                    tagged.put(repo + ":v" + i, layer);
                    reachable.put(m.toString(), (long) manifest(layer).getBytes(StandardCharsets.UTF_8).length);
                    reachable.put(Digest.sha256(layer).toString(), (long) layer.length);
                } else {
                    // deleted for good: its manifest and layer are garbage
                    assertThat(http.delete("/v2/" + repo + "/manifests/" + m).statusCode()).isEqualTo(202);
                    deletedLayers.add(Digest.sha256(layer));
                }
            }
            reachable.put(Digest.sha256(CONFIG).toString(), (long) CONFIG.length);
            // Bytes no ledger row knows (orphans of before the ledger): the sweep's walk enters them,
            // and they make it long enough to be killed in the middle of.
            for (int i = 0; i < orphans; i++) {
                GcImages.place(client, s3, data, random(64, 1_000_000L + i));
            }
            int before = stored(client, data).size();

            CompletableFuture<HttpResponse<byte[]>> sweep = java.net.http.HttpClient.newHttpClient().sendAsync(http.request("/api/v1/gc")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            // Killed once the sweep has deleted some garbage: in the middle of its batches.
            while (true) {
                int now = stored(client, data).size();
                if (now < before) {
                    first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
                    break;
                }
                assertThat(sweep.isDone()).as("the sweep ended before it deleted anything: "
                        + (sweep.isDone() ? text(sweep.join()) : "")).isFalse();
            }
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            atKill = stored(client, data).size();
        } finally {
            first.destroyForcibly();
        }
        assertThat(atKill).as("killed in the middle: some garbage deleted, some left")
                .isGreaterThan(reachable.size()).isLessThan(reachable.size() + orphans + 2 * deletedLayers.size());

        Process second = ServerMain.launch(data, log, config);
        try {
            RegistryHttp http = new RegistryHttp(URI.create("http://127.0.0.1:" + ServerMain.awaitReady(second)));
            // Nothing tagged lost, and no repository answers for bytes the killed sweep deleted.
            assertPullsBitExact(http, tagged);
            for (Digest layer : deletedLayers) {
                for (int r = 0; r < 3; r++) {
                    HttpResponse<byte[]> got = http.get("/v2/kill/app" + r + "/blobs/" + layer);
                    if (got.statusCode() == 200) {
                        assertThat(Digest.sha256(got.body())).isEqualTo(layer);
                    } else {
                        assertThat(got.statusCode()).as(text(got)).isEqualTo(404);
                    }
                }
            }
            // The next sweep finishes the job (the dead process's lease passes on: at once on the
            // embedded database, which is this process's alone; after its expiry on PostgreSQL).
            JsonNode report = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (report == null) {
                // a sweep answers when it is done: minutes on a loaded machine with S3Proxy
                HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient().send(http.request("/api/v1/gc")
                        .timeout(java.time.Duration.ofMinutes(10)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 201) {
                    report = JSON.readTree(r.body());
                } else {
                    assertThat(r.statusCode()).as(text(r)).isEqualTo(409);
                    assertThat(stack).isEqualTo("postgres+s3");
                    assertThat(System.nanoTime()).as("the dead node's lease expires").isLessThan(deadline);
                    Thread.sleep(1000);
                }
            }
            assertThat(report.path("deleted").asInt()).isPositive();
            assertThat(stored(client, data)).containsExactlyInAnyOrderEntriesOf(reachable);
            assertPullsBitExact(http, tagged);
            System.out.printf("gc kill (%s): %d digests stored before the sweep, %d at the kill, the next sweep freed %d;"
                    + " %d left, all reachable%n", stack, reachable.size() + orphans + 2 * deletedLayers.size(), atKill,
                    report.path("deleted").asInt(), reachable.size());
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
            if (client != null) {
                client.close();
            }
        }
    }
}
