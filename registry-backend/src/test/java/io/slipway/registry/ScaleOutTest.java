package io.slipway.registry;

import static io.slipway.testing.RegistryHttp.location;
import static io.slipway.testing.RegistryHttp.text;
import static io.slipway.testing.RegistryHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.metadata.PostgresSettings;
import io.slipway.registry.storage.S3Settings;
import io.slipway.registry.testing.IamFixture;
import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.registry.testing.Images;
import io.slipway.registry.testing.PostgresServer;
import io.slipway.testing.RegistryHttp;
import io.slipway.registry.testing.S3Server;
import io.slipway.registry.testing.ServerMain;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three registry nodes, started together from one configuration file, over one PostgreSQL database
 * and one S3 bucket, as behind a load balancer: any node accepts any node's token, continues any
 * upload, and serves what any node stored; a node killed mid-chunk loses only what it had not
 * stored; nodes racing on one tag agree afterwards.
 */
class ScaleOutTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MIB = 1 << 20;
    private static final String REPO = "team-app/app";

    @TempDir
    Path dir;
    private final List<RegistryServer> nodes = new ArrayList<>();
    private final List<RegistryHttp> http = new ArrayList<>();
    private S3Settings s3;
    private Path configFile;
    private String adminKey;
    private PostgresSettings pg;

    @BeforeEach
    void startThreeNodes() throws Exception {
        pg = PostgresServer.shared().newDatabase(6);
        s3 = S3Server.shared().newBucket(5 * MIB);
        Path config = dir.resolve("slipway.yaml");
        configFile = config;
        Files.writeString(config, String.join("\n",
                "auth: {mode: token, tokenKeyFile: token.key}",
                "storage:",
                "  driver: s3",
                "  bucket: " + s3.bucket(),
                "  endpoint: " + s3.endpoint(),
                "  region: us-east-1",
                "  pathStyle: true",
                "  accessKey: " + S3Server.ACCESS_KEY,
                "  secretKey: " + S3Server.SECRET_KEY,
                "  partSize: " + 5 * MIB,
                "metadata:",
                "  driver: postgres",
                "  url: " + pg.url(),
                "  user: " + pg.user(),
                "  poolSize: 6",
                "scan: {workers: 2, lease: 2s}",
                ""));
        // The one key every node signs with, as a mounted Kubernetes Secret would give it.
        io.slipway.registry.auth.TokenKey.create(dir.resolve("token.key"));
        RegistryConfig shared = RegistryConfig.load(config).withListen("127.0.0.1:0");
        assertThat(shared.stores().shared()).isTrue();
        // Started at the same moment, as an orchestrator would: they must agree on one schema, one
        // administrator and one token signing key.
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<RegistryServer>> starting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path data = dir.resolve("node" + i);
                starting.add(pool.submit((Callable<RegistryServer>) () -> RegistryServer.start(shared.withDataDir(data))));
            }
            for (Future<RegistryServer> f : starting) {
                RegistryServer node = f.get(120, TimeUnit.SECONDS);
                nodes.add(node);
                http.add(new RegistryHttp(node.uri()));
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> generated = nodes.stream().filter(n -> n.bootstrap() != null)
                .map(n -> n.bootstrap().generatedKey()).toList();
        assertThat(generated).as("exactly one node bootstraps the administrator").hasSize(1);
        adminKey = generated.get(0);
        HttpResponse<byte[]> ns = node(1).post("/api/v1/namespaces", "{\"name\":\"team-app\"}".getBytes(
                StandardCharsets.UTF_8), "Content-Type", "application/json", "Authorization",
                IamFixture.basic("iamapikey", adminKey));
        assertThat(ns.statusCode()).as(text(ns)).isEqualTo(201);
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (RegistryServer n : nodes) {
            n.close();
        }
    }

    private RegistryHttp node(int i) {
        return http.get(i);
    }

    private String token(int node, String scope) throws Exception {
        HttpResponse<byte[]> r = node(node).get("/token?service=slipway&scope="
                + URLEncoder.encode(scope, StandardCharsets.UTF_8), "Authorization", IamFixture.basic("iamapikey", adminKey));
        assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        return "Bearer " + JSON.readTree(r.body()).path("token").asText();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private JsonNode manage(int node, String method, String path, String body, int expected) throws Exception {
        var b = node(node).request(path).header("Content-Type", "application/json")
                .header("Authorization", IamFixture.basic("iamapikey", adminKey))
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = node(node).send(b.build());
        assertThat(r.statusCode()).as(method + " " + path + " " + text(r)).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    @Test
    void aKeyDeletedOnOneNodeIsRefusedByEveryNode() throws Exception {
        manage(0, "POST", "/api/v1/service-ids", "{\"name\":\"roamer\"}", 201);
        manage(0, "POST", "/api/v1/policies", "{\"serviceId\":\"roamer\",\"role\":\"Reader\",\"namespace\":\"team-app\"}", 201);
        JsonNode key = manage(0, "POST", "/api/v1/api-keys", "{\"serviceId\":\"roamer\"}", 201);
        String basic = IamFixture.basic("iamapikey", key.path("apiKey").asText());
        String[] tokens = new String[3];
        for (int i = 0; i < 3; i++) { // every node has verified (and remembers) the key, and issued a token
            HttpResponse<byte[]> r = node(i).get("/token?service=slipway&scope=repository:" + REPO + ":pull",
                    "Authorization", basic);
            assertThat(r.statusCode()).isEqualTo(200);
            tokens[i] = "Bearer " + JSON.readTree(r.body()).path("token").asText();
            assertThat(node(i).get("/v2/" + REPO + "/tags/list", "Authorization", tokens[i]).statusCode()).isNotEqualTo(401);
        }
        manage(1, "DELETE", "/api/v1/api-keys/" + key.path("id").asLong(), null, 200);
        // The key itself is refused by every node on the very next request.
        for (int i = 0; i < 3; i++) {
            assertThat(node(i).get("/token?service=slipway", "Authorization", basic).statusCode()).isEqualTo(401);
        }
        // Tokens it got: at once on the node that deleted it, and on the others once their cache of
        // revocations (at most Revocations.STALE old) has been read again.
        assertThat(node(1).get("/v2/" + REPO + "/tags/list", "Authorization", tokens[1]).statusCode()).isEqualTo(401);
        Thread.sleep(io.slipway.registry.auth.Revocations.STALE.toMillis() + 100);
        for (int i = 0; i < 3; i++) {
            assertThat(node(i).get("/v2/" + REPO + "/tags/list", "Authorization", tokens[i]).statusCode())
                    .as("node " + i).isEqualTo(401);
        }
    }

    @Test
    void anUploadSplitAcrossNodesIsPulledIntactFromAnother() throws Exception {
        // A token issued by node 0 is accepted by every node: they share the signing key.
        String auth = token(0, "repository:" + REPO + ":pull,push");
        for (int i = 0; i < 3; i++) {
            assertThat(node(i).get("/v2/", "Authorization", auth).statusCode()).isEqualTo(200);
        }

        byte[] layer = random(9 * MIB + 4321, 42);
        Digest layerDigest = Digest.sha256(layer);
        // Begun on node 0 (POST + PATCH) ...
        HttpResponse<byte[]> started = node(0).post("/v2/" + REPO + "/blobs/uploads/", new byte[0],
                "Authorization", auth);
        assertThat(started.statusCode()).as(text(started)).isEqualTo(202);
        HttpResponse<byte[]> first = node(0).patch(location(started), Arrays.copyOfRange(layer, 0, 3 * MIB),
                "Authorization", auth, "Content-Type", "application/octet-stream", "Content-Range", "0-" + (3 * MIB - 1));
        assertThat(first.statusCode()).as(text(first)).isEqualTo(202);
        // ... continued on node 1, which then goes away ...
        HttpResponse<byte[]> second = node(1).patch(location(first), Arrays.copyOfRange(layer, 3 * MIB, 8 * MIB + 1),
                "Authorization", auth, "Content-Type", "application/octet-stream",
                "Content-Range", 3 * MIB + "-" + 8 * MIB);
        assertThat(second.statusCode()).as(text(second)).isEqualTo(202);
        nodes.get(1).close();
        // ... node 2 knows where the upload stands, and finishes it.
        HttpResponse<byte[]> status = node(2).get(location(second), "Authorization", auth);
        assertThat(status.statusCode()).as(text(status)).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-" + 8 * MIB);
        HttpResponse<byte[]> finished = node(2).put(withQuery(location(second), "digest=" + layerDigest),
                Arrays.copyOfRange(layer, 8 * MIB + 1, layer.length), "Authorization", auth,
                "Content-Type", "application/octet-stream");
        assertThat(finished.statusCode()).as(text(finished)).isEqualTo(201);
        assertThat(finished.headers().firstValue("Docker-Content-Digest")).hasValue(layerDigest.toString());

        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        HttpResponse<byte[]> c = node(2).post("/v2/" + REPO + "/blobs/uploads/?digest=" + configDigest, config,
                "Authorization", auth, "Content-Type", "application/octet-stream");
        assertThat(c.statusCode()).as(text(c)).isEqualTo(201);
        byte[] manifest = Images.imageManifest(configDigest, config.length, layerDigest, layer.length)
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> m = node(2).put("/v2/" + REPO + "/manifests/1.0", manifest, "Authorization", auth,
                "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(m.statusCode()).as(text(m)).isEqualTo(201);

        // Pulled from node 0, bit for bit.
        HttpResponse<byte[]> pulledManifest = node(0).get("/v2/" + REPO + "/manifests/1.0", "Authorization", auth,
                "Accept", MediaTypes.OCI_MANIFEST);
        assertThat(pulledManifest.statusCode()).as(text(pulledManifest)).isEqualTo(200);
        assertThat(pulledManifest.body()).isEqualTo(manifest);
        HttpResponse<byte[]> pulledLayer = node(0).get("/v2/" + REPO + "/blobs/" + layerDigest, "Authorization", auth);
        assertThat(pulledLayer.statusCode()).isEqualTo(200);
        assertThat(pulledLayer.body()).isEqualTo(layer);
        HttpResponse<byte[]> range = node(0).get("/v2/" + REPO + "/blobs/" + layerDigest, "Authorization", auth,
                "Range", "bytes=" + (5 * MIB - 2) + "-" + (5 * MIB + 1));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(layer, 5 * MIB - 2, 5 * MIB + 2));

        // The upload left nothing behind in the bucket.
        try (var client = s3.client()) {
            assertThat(client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix("uploads/")).contents())
                    .allMatch(o -> o.key().endsWith("/"));
        }
    }

    /** An image layer the scanner can read: an empty tar (zero blocks), gzipped; {@code blocks} varies the digest. */
    private static byte[] emptyTarGz(int blocks) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            gzip.write(new byte[512 * blocks]);
        }
        return bytes.toByteArray();
    }

    private Digest pushImage(int node, String auth, int blocks, String tag) throws Exception {
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = emptyTarGz(blocks);
        byte[] manifest = Images.imageManifest(push(node, auth, config), config.length, push(node, auth, layer), layer.length)
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = node(node).put("/v2/" + REPO + "/manifests/" + tag, manifest, "Authorization", auth,
                "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
        return Digest.parse(r.headers().firstValue("Docker-Content-Digest").orElseThrow());
    }

    @Test
    void everyImageIsScannedOnceWhicheverNodesItWasPushedTo() throws Exception {
        String auth = token(0, "repository:" + REPO + ":pull,push");
        List<Digest> images = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            images.add(pushImage(i % 3, auth, 2 + i, "v" + i));
        }
        for (int i = 0; i < 9; i++) {
            // The same image again, through another node, under another tag: no second job.
            assertThat(pushImage((i + 1) % 3, auth, 2 + i, "again-" + i)).isEqualTo(images.get(i));
        }
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        Set<String> scanners = new HashSet<>();
        for (Digest image : images) {
            assertThat(nodes.get(2).scans().result(image).orElseThrow().state()).isEqualTo(
                    io.slipway.registry.scan.ScanResult.State.DONE);
            var runs = nodes.get(1).scans().jobs().runs(image);
            assertThat(runs).as("scans of %s", image).hasSize(1);
            scanners.add(runs.get(0).node());
        }
        assertThat(scanners).as("any node scans").isNotEmpty();
    }

    @Test
    void aScanJobHeldByANodeThatDiedIsTakenAgainByAnother() throws Exception {
        String auth = token(0, "repository:" + REPO + ":pull,push");
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = emptyTarGz(40);
        byte[] manifest = Images.imageManifest(push(0, auth, config), config.length, push(0, auth, layer), layer.length)
                .getBytes(StandardCharsets.UTF_8);
        Digest image = Digest.sha256(manifest);
        // A node takes the job and dies before finishing (it never renews nor completes): the
        // fault is caused by a claimant that stops, on the real table the live nodes share.
        try (var database = new io.slipway.registry.metadata.PostgresDatabase(pg)) {
            var dead = new io.slipway.registry.scan.ScanJobs(database, "dead-node", java.time.Duration.ofSeconds(2),
                    java.time.Clock.systemUTC());
            assertThat(dead.offer(image)).isTrue();
            assertThat(dead.take().orElseThrow().digest()).isEqualTo(image);
        }
        HttpResponse<byte[]> r = node(1).put("/v2/" + REPO + "/manifests/held", manifest, "Authorization", auth,
                "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        var runs = nodes.get(2).scans().jobs().runs(image);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).attempt()).isEqualTo(2);
        assertThat(runs.get(0).node()).isNotEqualTo("dead-node");
        assertThat(nodes.get(0).scans().result(image).orElseThrow().state()).isEqualTo(
                io.slipway.registry.scan.ScanResult.State.DONE);
    }

    @Test
    void anAdvisoryImportOnOneNodeReachesEveryNodeAndRescansEachImageOnce() throws Exception {
        String auth = token(0, "repository:" + REPO + ":pull,push");
        Digest image = pushImage(0, auth, 3, "before");
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        assertThat(nodes.get(0).scans().jobs().runs(image)).hasSize(1);

        Path record = dir.resolve("TEST-2026-0001.json");
        Files.writeString(record, """
                {"schema_version": "1.4.0", "id": "TEST-2026-0001", "modified": "2026-01-01T00:00:00Z",
                 "summary": "a record imported on one node only",
                 "affected": [{"package": {"ecosystem": "Maven", "name": "org.example:lib"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}
                """);
        nodes.get(0).scans().database().importFile(record);
        for (RegistryServer n : nodes) {
            n.scans().sweep(); // what each node's housekeeping does every few seconds
        }
        String version = nodes.get(0).scans().database().status().toString();
        for (RegistryServer n : nodes) {
            assertThat(n.scans().database().status().toString()).isEqualTo(version);
            assertThat(n.scans().database().status().records()).isEqualTo(1);
        }
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        assertThat(nodes.get(1).scans().jobs().runs(image)).as("scanned once more, not once per node").hasSize(2);
    }

    /**
     * The re-scan a new advisory database queues may be taken by a node that has not swept since
     * the import: its worker loads the new database before scanning, so the result is stored under
     * the new version and no later sweep queues the image again.
     */
    @Test
    void aReScanTakenByANodeThatHasNotSweptYetUsesTheNewDatabase() throws Exception {
        String auth = token(0, "repository:" + REPO + ":pull,push");
        List<Digest> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            images.add(pushImage(i, auth, 7 + i, "early-" + i));
        }
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        Path record = dir.resolve("TEST-2026-0003.json");
        Files.writeString(record, """
                {"schema_version": "1.4.0", "id": "TEST-2026-0003", "modified": "2026-01-03T00:00:00Z",
                 "summary": "a record only the importing node has swept",
                 "affected": [{"package": {"ecosystem": "Maven", "name": "org.example:third"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}
                """);
        nodes.get(0).scans().database().importFile(record);
        nodes.get(0).scans().sweep(); // publishes and queues the re-scans; nodes 1 and 2 have not swept
        String version = nodes.get(0).scans().database().status().toString();
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        for (RegistryServer n : nodes) {
            n.scans().sweep();
        }
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        for (Digest image : images) {
            var runs = nodes.get(1).scans().jobs().runs(image);
            assertThat(runs).as("scans of %s: %s", image, runs).hasSize(2);
            String stored = nodes.get(2).scans().result(image).orElseThrow().databaseVersion();
            assertThat(stored).isEqualTo(nodes.get(0).scans().currentDatabaseVersion());
        }
        assertThat(nodes.get(1).scans().database().status().toString()).isEqualTo(version);
    }

    /**
     * An import through one node's management API is what every node judges by when it answers: no
     * node's report of the image is current until it was scanned against the imported database.
     */
    @Test
    void anAdvisoryImportThroughTheApiIsTheDatabaseEveryNodeJudgesByAtOnce() throws Exception {
        String auth = token(0, "repository:" + REPO + ":pull,push");
        Digest image = pushImage(0, auth, 5, "api-import");
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        byte[] record = """
                {"schema_version": "1.4.0", "id": "TEST-2026-0002", "modified": "2026-01-02T00:00:00Z",
                 "summary": "a record imported through the management API",
                 "affected": [{"package": {"ecosystem": "Maven", "name": "org.example:other"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}
                """.getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> imported = node(0).post("/api/v1/va/db/import?name=TEST-2026-0002.json", record,
                "Authorization", IamFixture.basic("iamapikey", adminKey));
        assertThat(imported.statusCode()).as(text(imported)).isEqualTo(201);
        String version = new com.fasterxml.jackson.databind.ObjectMapper().readTree(imported.body())
                .path("databaseVersion").asText();
        // No sweep here: each node looks at the shared database when it is asked.
        for (int n = 0; n < nodes.size(); n++) {
            HttpResponse<byte[]> va = node(n).get("/api/v1/va?image=" + REPO + "@" + image,
                    "Authorization", IamFixture.basic("iamapikey", adminKey));
            var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(va.body());
            assertThat(report.path("currentDatabaseVersion").asText()).as("node " + n).isEqualTo(version);
            // The judge passes nothing computed against the database before the import.
            var verdict = io.slipway.oci.vulnerability.VulnerabilityJudge.judge(report,
                    io.slipway.oci.vulnerability.Criteria.of(io.slipway.oci.vulnerability.Severity.CRITICAL));
            if (!verdict.pending()) {
                assertThat(report.path("databaseVersion").asText()).as(report.toString()).isEqualTo(version);
            }
        }
        assertThat(nodes.get(0).scans().idle(60_000)).isTrue();
        HttpResponse<byte[]> va = node(2).get("/api/v1/va?image=" + REPO + "@" + image,
                "Authorization", IamFixture.basic("iamapikey", adminKey));
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(va.body());
        assertThat(report.path("databaseVersion").asText()).as(report.toString()).isEqualTo(version);
    }

    /** Long enough for every node's metadata read cache to have noticed a change committed before. */
    private static void pastTheCacheBound() throws InterruptedException {
        Thread.sleep(io.slipway.registry.metadata.CachingMetadataStore.STALE.toMillis() + 100);
    }

    private HttpResponse<byte[]> getManifest(int node, String auth, String reference) throws Exception {
        return node(node).get("/v2/" + REPO + "/manifests/" + reference, "Authorization", auth,
                "Accept", MediaTypes.OCI_MANIFEST);
    }

    @Test
    void aTagMovedOrAManifestDeletedOnOneNodeIsSeenByEveryNodeWithinTheCacheBound() throws Exception {
        String auth = token(0, "repository:" + REPO + ":pull,push,delete");
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = push(0, auth, config);
        List<byte[]> manifests = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            byte[] layer = random(2000 + i, 10 + i);
            manifests.add(Images.imageManifest(configDigest, config.length, push(0, auth, layer), layer.length)
                    .getBytes(StandardCharsets.UTF_8));
        }
        Digest first = Digest.sha256(manifests.get(0));
        Digest second = Digest.sha256(manifests.get(1));
        assertThat(node(0).put("/v2/" + REPO + "/manifests/moving", manifests.get(0), "Authorization", auth,
                "Content-Type", MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(201);
        for (int i = 0; i < 3; i++) { // every node has read (and remembers) the tag and the manifest
            for (int repeat = 0; repeat < 2; repeat++) {
                assertThat(getManifest(i, auth, "moving").headers().firstValue("Docker-Content-Digest"))
                        .hasValue(first.toString());
                assertThat(getManifest(i, auth, first.toString()).statusCode()).isEqualTo(200);
            }
        }
        assertThat(node(0).put("/v2/" + REPO + "/manifests/moving", manifests.get(1), "Authorization", auth,
                "Content-Type", MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(201);
        assertThat(getManifest(0, auth, "moving").headers().firstValue("Docker-Content-Digest"))
                .as("the node that moved the tag, at once").hasValue(second.toString());
        pastTheCacheBound();
        for (int i = 0; i < 3; i++) {
            assertThat(getManifest(i, auth, "moving").headers().firstValue("Docker-Content-Digest"))
                    .as("node " + i).hasValue(second.toString());
        }
        // The manifest the tag names now, deleted on node 2: no node serves it, by digest or tag.
        assertThat(node(2).send(node(2).request("/v2/" + REPO + "/manifests/" + second)
                .header("Authorization", auth).DELETE().build()).statusCode())
                .isEqualTo(202);
        assertThat(getManifest(2, auth, second.toString()).statusCode()).as("the deleting node, at once")
                .isEqualTo(404);
        pastTheCacheBound();
        for (int i = 0; i < 3; i++) {
            assertThat(getManifest(i, auth, second.toString()).statusCode()).as("node " + i).isEqualTo(404);
            assertThat(getManifest(i, auth, "moving").statusCode()).as("node " + i).isEqualTo(404);
            assertThat(getManifest(i, auth, first.toString()).statusCode()).as("node " + i).isEqualTo(200);
        }
    }

    @Test
    void twoNodesRacingToMoveOneTagEndWithOneAnswerEverywhere() throws Exception {
        String auth = token(1, "repository:" + REPO + ":pull,push");
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = push(0, auth, config);
        List<byte[]> manifests = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            byte[] layer = random(1000 + i, i);
            Digest layerDigest = push(i, auth, layer);
            manifests.add(Images.imageManifest(configDigest, config.length, layerDigest, layer.length)
                    .getBytes(StandardCharsets.UTF_8));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> racers = new ArrayList<>();
            for (int racer = 0; racer < 2; racer++) {
                int n = racer;
                racers.add(pool.submit(() -> {
                    for (int round = 0; round < 25; round++) {
                        HttpResponse<byte[]> r = node(n == 0 ? 0 : 2).put("/v2/" + REPO + "/manifests/latest",
                                manifests.get(n), "Authorization", auth, "Content-Type", MediaTypes.OCI_MANIFEST);
                        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
                        for (int reader = 0; reader < 3; reader++) { // every node's read cache holds the tag meanwhile
                            node(reader).get("/v2/" + REPO + "/manifests/latest", "Authorization", auth,
                                    "Accept", MediaTypes.OCI_MANIFEST);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : racers) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        pastTheCacheBound();
        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> r = node(i).get("/v2/" + REPO + "/manifests/latest", "Authorization", auth,
                    "Accept", MediaTypes.OCI_MANIFEST);
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
            assertThat(r.body()).satisfiesAnyOf(b -> assertThat(b).isEqualTo(manifests.get(0)),
                    b -> assertThat(b).isEqualTo(manifests.get(1)));
            answers.add(r.headers().firstValue("Docker-Content-Digest").orElseThrow());
        }
        assertThat(answers).as("every node answers the same digest for the tag").hasSize(1);
        HttpResponse<byte[]> tags = node(2).get("/v2/" + REPO + "/tags/list", "Authorization", auth);
        assertThat(JSON.readTree(tags.body()).path("tags").toString()).isEqualTo("[\"latest\"]");
    }

    @Test
    void aNodeKilledMidChunkLeavesAPrefixThatAnotherNodeResumes() throws Exception {
        String auth = token(0, "repository:" + REPO + ":pull,push");
        byte[] layer = random(12 * MIB + 77, 7);
        Digest layerDigest = Digest.sha256(layer);
        Process doomed = ServerMain.launch(dir.resolve("doomed"), dir.resolve("doomed.log"), configFile);
        CountDownLatch never = new CountDownLatch(1);
        try {
            URI doomedUri = URI.create("http://127.0.0.1:" + ServerMain.awaitReady(doomed));
            HttpResponse<byte[]> started = node(0).post("/v2/" + REPO + "/blobs/uploads/", new byte[0],
                    "Authorization", auth);
            String upload = location(started);
            // The chunk's first 7 MiB reach the doomed node; the rest is never sent, as the node dies.
            InputStream body = new SequenceInputStream(new ByteArrayInputStream(layer, 0, 7 * MIB), new InputStream() {
                @Override
                public int read() throws IOException {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("the client gave up");
                }
            });
            HttpClient client = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<Void>> inFlight = client.sendAsync(HttpRequest.newBuilder(
                    doomedUri.resolve(upload)).header("Authorization", auth)
                    .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            // Once the node has stored one whole part, every node sees it; then the node is killed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!uploadRange(2, upload, auth).equals("0-" + (5 * MIB - 1))) {
                assertThat(System.nanoTime()).as("the doomed node never stored a part").isLessThan(deadline);
                Thread.sleep(50);
            }
            doomed.destroyForcibly();
            assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();
            never.countDown();
            assertThat(inFlight).failsWithin(30, TimeUnit.SECONDS);

            // What survives is exactly the stored prefix; another node resumes from it and finishes.
            assertThat(uploadRange(2, upload, auth)).isEqualTo("0-" + (5 * MIB - 1));
            HttpResponse<byte[]> rest = node(2).patch(upload, Arrays.copyOfRange(layer, 5 * MIB, layer.length),
                    "Authorization", auth, "Content-Type", "application/octet-stream",
                    "Content-Range", 5 * MIB + "-" + (layer.length - 1));
            assertThat(rest.statusCode()).as(text(rest)).isEqualTo(202);
            HttpResponse<byte[]> finished = node(1).put(withQuery(location(rest), "digest=" + layerDigest),
                    new byte[0], "Authorization", auth, "Content-Type", "application/octet-stream");
            assertThat(finished.statusCode()).as(text(finished)).isEqualTo(201);
            HttpResponse<byte[]> pulled = node(0).get("/v2/" + REPO + "/blobs/" + layerDigest, "Authorization", auth);
            assertThat(pulled.body()).isEqualTo(layer);
        } finally {
            never.countDown();
            doomed.destroyForcibly();
        }
    }

    /** The Range an upload reports on a node (what a client resumes from). */
    private String uploadRange(int node, String upload, String auth) {
        HttpResponse<byte[]> r = node(node).get(upload, "Authorization", auth);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(204);
        return r.headers().firstValue("Range").orElseThrow();
    }

    private Digest push(int node, String auth, byte[] content) {
        Digest d = Digest.sha256(content);
        HttpResponse<byte[]> r = node(node).post("/v2/" + REPO + "/blobs/uploads/?digest=" + d, content,
                "Authorization", auth, "Content-Type", "application/octet-stream");
        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
        return d;
    }
}
