package io.slipway.registry;

import static io.slipway.testing.RegistryHttp.location;
import static io.slipway.testing.RegistryHttp.text;
import static io.slipway.testing.RegistryHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The OCI Distribution API, endpoint by endpoint and error by error, against the real server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributionProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;

    RegistryServer server;
    RegistryHttp http;

    @BeforeAll
    void start() throws Exception {
        Limits limits = new Limits(64 * 1024, 255, 32L * 1024 * 1024, 0, Duration.ofHours(1), 100);
        server = RegistryServer.start(RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0").withDataDir(data)
                .withLimits(limits));
        http = new RegistryHttp(server.uri());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String errorCode(HttpResponse<byte[]> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        return body.path("errors").path(0).path("code").asText();
    }

    @Test
    void baseAnswersWithTheApiVersion() {
        HttpResponse<byte[]> r = http.get("/v2/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
    }

    @Nested
    class Blobs {
        @Test
        void monolithicPushThenHeadGetAndDelete() throws Exception {
            byte[] content = random(10_000, 1);
            Digest d = http.pushBlob("blobs/mono", content);

            HttpResponse<byte[]> head = http.head("/v2/blobs/mono/blobs/" + d);
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).hasValue("10000");
            assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(d.toString());
            assertThat(head.body()).isEmpty();

            HttpResponse<byte[]> get = http.get("/v2/blobs/mono/blobs/" + d);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(content);

            assertThat(http.delete("/v2/blobs/mono/blobs/" + d).statusCode()).isEqualTo(202);
            HttpResponse<byte[]> gone = http.get("/v2/blobs/mono/blobs/" + d);
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(errorCode(gone)).isEqualTo("BLOB_UNKNOWN");
            assertThat(http.delete("/v2/blobs/mono/blobs/" + d).statusCode()).isEqualTo(404);
        }

        @Test
        void rangeRequests() {
            byte[] content = random(1000, 2);
            Digest d = http.pushBlob("blobs/range", content);
            HttpResponse<byte[]> part = http.get("/v2/blobs/range/blobs/" + d, "Range", "bytes=10-19");
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 10-19/1000");
            assertThat(part.body()).isEqualTo(Arrays.copyOfRange(content, 10, 20));

            HttpResponse<byte[]> open = http.get("/v2/blobs/range/blobs/" + d, "Range", "bytes=990-");
            assertThat(open.body()).isEqualTo(Arrays.copyOfRange(content, 990, 1000));
            HttpResponse<byte[]> suffix = http.get("/v2/blobs/range/blobs/" + d, "Range", "bytes=-5");
            assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(content, 995, 1000));

            HttpResponse<byte[]> beyond = http.get("/v2/blobs/range/blobs/" + d, "Range", "bytes=1000-2000");
            assertThat(beyond.statusCode()).isEqualTo(416);
            assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */1000");
        }

        @Test
        void aBlobIsReadableOnlyInTheRepositoriesItWasPushedOrMountedTo() throws Exception {
            Digest d = http.pushBlob("tenant-a/app", random(100, 3));
            HttpResponse<byte[]> other = http.get("/v2/tenant-b/app/blobs/" + d);
            assertThat(other.statusCode()).isEqualTo(404);
            assertThat(errorCode(other)).isEqualTo("BLOB_UNKNOWN");
            assertThat(http.head("/v2/tenant-b/app/blobs/" + d).statusCode()).isEqualTo(404);
        }

        @Test
        void invalidDigestsAre400NeverServerErrors() throws Exception {
            for (String bad : List.of("sha256:zz", "sha256:" + "A".repeat(64), "md5:abc", "sha256", "nonsense",
                    "sha512:" + "a".repeat(64))) {
                HttpResponse<byte[]> r = http.get("/v2/blobs/bad/blobs/" + bad);
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(errorCode(r)).as(bad).isEqualTo("DIGEST_INVALID");
            }
            HttpResponse<byte[]> post = http.post("/v2/blobs/bad/blobs/uploads/?digest=sha256:nothex", new byte[3]);
            assertThat(post.statusCode()).isEqualTo(400);
            assertThat(errorCode(post)).isEqualTo("DIGEST_INVALID");
        }

        @Test
        void sha512Blobs() {
            byte[] content = random(5000, 4);
            Digest d = Digest.of(Digest.Algorithm.SHA512, content);
            HttpResponse<byte[]> r = http.post("/v2/blobs/sha512/blobs/uploads/?digest=" + d, content);
            assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
            assertThat(http.get("/v2/blobs/sha512/blobs/" + d).body()).isEqualTo(content);
        }

        @Test
        void monolithicPushWithTheWrongDigestStoresNothing() throws Exception {
            byte[] content = random(100, 5);
            Digest wrong = Digest.sha256("something else");
            HttpResponse<byte[]> r = http.post("/v2/blobs/wrong/blobs/uploads/?digest=" + wrong, content);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
            assertThat(http.head("/v2/blobs/wrong/blobs/" + wrong).statusCode()).isEqualTo(404);
            assertThat(http.head("/v2/blobs/wrong/blobs/" + Digest.sha256(content)).statusCode()).isEqualTo(404);
        }
    }

    @Nested
    class Uploads {
        @Test
        void chunkedUploadInOrder() throws Exception {
            byte[] content = random(30_000, 10);
            HttpResponse<byte[]> start = http.post("/v2/up/chunked/blobs/uploads/", new byte[0]);
            assertThat(start.statusCode()).isEqualTo(202);
            assertThat(start.headers().firstValue("Docker-Upload-UUID")).isPresent();
            String loc = location(start);

            HttpResponse<byte[]> first = http.patch(loc, Arrays.copyOfRange(content, 0, 10_000),
                    "Content-Type", "application/octet-stream", "Content-Range", "0-9999");
            assertThat(first.statusCode()).as(text(first)).isEqualTo(202);
            assertThat(first.headers().firstValue("Range")).hasValue("0-9999");
            loc = location(first);

            // A chunk without Content-Range is streamed onto the end.
            HttpResponse<byte[]> second = http.patch(loc, Arrays.copyOfRange(content, 10_000, 20_000));
            assertThat(second.statusCode()).isEqualTo(202);
            assertThat(second.headers().firstValue("Range")).hasValue("0-19999");

            HttpResponse<byte[]> status = http.get(location(second));
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(status.headers().firstValue("Range")).hasValue("0-19999");

            // The last chunk comes with the PUT.
            Digest d = Digest.sha256(content);
            HttpResponse<byte[]> done = http.put(withQuery(location(second), "digest=" + d),
                    Arrays.copyOfRange(content, 20_000, 30_000), "Content-Range", "20000-29999");
            assertThat(done.statusCode()).as(text(done)).isEqualTo(201);
            assertThat(done.headers().firstValue("Docker-Content-Digest")).hasValue(d.toString());
            assertThat(location(done)).isEqualTo("/v2/up/chunked/blobs/" + d);
            assertThat(http.get("/v2/up/chunked/blobs/" + d).body()).isEqualTo(content);
            // The session is gone once the blob exists.
            assertThat(http.get(loc).statusCode()).isEqualTo(404);
        }

        @Test
        void largeChunksAreHashedWhileTheyArrive() throws Exception {
            byte[] content = random(11 * 1024 * 1024, 19);
            String loc = location(http.post("/v2/up/large/blobs/uploads/", new byte[0]));
            loc = location(http.patch(loc, Arrays.copyOfRange(content, 0, 6 * 1024 * 1024)));
            Digest d = Digest.sha256(content);
            HttpResponse<byte[]> done = http.put(withQuery(loc, "digest=" + d),
                    Arrays.copyOfRange(content, 6 * 1024 * 1024, content.length));
            assertThat(done.statusCode()).as(text(done)).isEqualTo(201);
            assertThat(http.get("/v2/up/large/blobs/" + d).body()).isEqualTo(content);
            // And a large monolithic push whose digest is wrong stores nothing.
            byte[] other = random(5 * 1024 * 1024, 20);
            HttpResponse<byte[]> wrong = http.post("/v2/up/large/blobs/uploads/?digest=" + d, other);
            assertThat(wrong.statusCode()).isEqualTo(400);
            assertThat(http.head("/v2/up/large/blobs/" + Digest.sha256(other)).statusCode()).isEqualTo(404);
        }

        @Test
        void outOfOrderAndOverlappingChunksAre416WithTheHeldRange() throws Exception {
            String loc = location(http.post("/v2/up/order/blobs/uploads/", new byte[0]));
            HttpResponse<byte[]> first = http.patch(loc, random(100, 11), "Content-Range", "0-99");
            assertThat(first.statusCode()).isEqualTo(202);
            loc = location(first);

            HttpResponse<byte[]> gap = http.patch(loc, random(100, 12), "Content-Range", "200-299");
            assertThat(gap.statusCode()).isEqualTo(416);
            assertThat(gap.headers().firstValue("Range")).hasValue("0-99");
            assertThat(gap.headers().firstValue("Location")).isPresent();

            HttpResponse<byte[]> overlap = http.patch(loc, random(100, 13), "Content-Range", "50-149");
            assertThat(overlap.statusCode()).isEqualTo(416);
            assertThat(overlap.headers().firstValue("Range")).hasValue("0-99");

            // Nothing was lost: the upload still holds exactly the first chunk.
            assertThat(http.get(loc).headers().firstValue("Range")).hasValue("0-99");
        }

        @Test
        void aChunkShorterThanItsContentRangeIsUndone() throws Exception {
            String loc = location(http.post("/v2/up/short/blobs/uploads/", new byte[0]));
            HttpResponse<byte[]> r = http.patch(loc, random(50, 14), "Content-Range", "0-99");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("BLOB_UPLOAD_INVALID");
            assertThat(http.get(loc).headers().firstValue("Range")).hasValue("0-0");
        }

        @Test
        void finishingWithTheWrongDigestDiscardsTheUpload() throws Exception {
            String loc = location(http.post("/v2/up/wrong/blobs/uploads/", new byte[0]));
            byte[] content = random(64, 15);
            loc = location(http.patch(loc, content));
            Digest wrong = Digest.sha256("not it");
            HttpResponse<byte[]> r = http.put(withQuery(loc, "digest=" + wrong), new byte[0]);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
            assertThat(http.head("/v2/up/wrong/blobs/" + Digest.sha256(content)).statusCode()).isEqualTo(404);
            assertThat(http.get(loc).statusCode()).isEqualTo(404);
        }

        @Test
        void finishingWithoutADigestIsRefused() throws Exception {
            String loc = location(http.post("/v2/up/nodigest/blobs/uploads/", new byte[0]));
            HttpResponse<byte[]> r = http.put(loc, new byte[0]);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        }

        @Test
        void cancelledUploadsAreGone() throws Exception {
            String loc = location(http.post("/v2/up/cancel/blobs/uploads/", new byte[0]));
            assertThat(http.delete(loc).statusCode()).isEqualTo(204);
            HttpResponse<byte[]> r = http.get(loc);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }

        @Test
        void unknownAndHostileUploadIds() throws Exception {
            for (String id : List.of("00000000-0000-0000-0000-000000000000", "not-a-uuid", "..%2F..%2Fblobs",
                    "%2e%2e")) {
                HttpResponse<byte[]> r = http.get("/v2/up/ids/blobs/uploads/" + id);
                assertThat(r.statusCode()).as(id).isIn(400, 404);
                if (r.statusCode() == 404) {
                    assertThat(errorCode(r)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
                }
            }
        }

        @Test
        void anUploadBelongsToItsRepository() throws Exception {
            String loc = location(http.post("/v2/up/mine/blobs/uploads/", new byte[0]));
            String id = loc.substring(loc.lastIndexOf('/') + 1);
            HttpResponse<byte[]> r = http.get("/v2/up/theirs/blobs/uploads/" + id);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }

        @Test
        void uploadsLargerThanTheLimitAreRefused() throws Exception {
            Limits limits = new Limits(1024, 255, 1000, 0, Duration.ofHours(1), 100);
            try (RegistryServer small = RegistryServer.start(RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                    .withDataDir(Files.createTempDirectory(data, "small")).withLimits(limits))) {
                RegistryHttp h = new RegistryHttp(small.uri());
                byte[] content = random(2000, 16);
                HttpResponse<byte[]> r = h.post("/v2/up/big/blobs/uploads/?digest=" + Digest.sha256(content), content);
                assertThat(r.statusCode()).isEqualTo(413);
                assertThat(errorCode(r)).isEqualTo("SIZE_INVALID");
            }
        }

        @Test
        void crossRepositoryMount() throws Exception {
            Digest d = http.pushBlob("mount/source", random(500, 17));
            HttpResponse<byte[]> r = http.post("/v2/mount/target/blobs/uploads/?mount=" + d + "&from=mount/source",
                    new byte[0]);
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(d.toString());
            assertThat(http.head("/v2/mount/target/blobs/" + d).statusCode()).isEqualTo(200);

            // Not readable in the source: an ordinary upload session instead.
            HttpResponse<byte[]> fallback = http.post("/v2/mount/target2/blobs/uploads/?mount="
                    + Digest.sha256("absent") + "&from=mount/source", new byte[0]);
            assertThat(fallback.statusCode()).isEqualTo(202);
            assertThat(fallback.headers().firstValue("Location")).isPresent();
            HttpResponse<byte[]> badFrom = http.post("/v2/mount/target3/blobs/uploads/?mount=" + d + "&from=../x",
                    new byte[0]);
            assertThat(badFrom.statusCode()).isEqualTo(202);
            // Without a source: found in the same namespace, never in another.
            assertThat(http.post("/v2/mount/target4/blobs/uploads/?mount=" + d, new byte[0]).statusCode()).isEqualTo(201);
            assertThat(http.post("/v2/elsewhere/target/blobs/uploads/?mount=" + d, new byte[0]).statusCode())
                    .isEqualTo(202);
        }

        @Test
        void uploadsSurviveARestart(@TempDir Path dir) throws Exception {
            byte[] content = random(4096, 18);
            RegistryConfig config = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0").withDataDir(dir);
            String loc;
            try (RegistryServer first = RegistryServer.start(config)) {
                RegistryHttp h = new RegistryHttp(first.uri());
                loc = location(h.post("/v2/up/restart/blobs/uploads/", new byte[0]));
                loc = location(h.patch(loc, Arrays.copyOfRange(content, 0, 1000), "Content-Range", "0-999"));
            }
            try (RegistryServer second = RegistryServer.start(config)) {
                RegistryHttp h = new RegistryHttp(second.uri());
                assertThat(h.get(loc).headers().firstValue("Range")).hasValue("0-999");
                loc = location(h.patch(loc, Arrays.copyOfRange(content, 1000, 4096), "Content-Range", "1000-4095"));
                Digest d = Digest.sha256(content);
                HttpResponse<byte[]> done = h.put(withQuery(loc, "digest=" + d), new byte[0]);
                assertThat(done.statusCode()).as(text(done)).isEqualTo(201);
                assertThat(h.get("/v2/up/restart/blobs/" + d).body()).isEqualTo(content);
            }
        }
    }

    @Nested
    class Manifests {
        record Pushed(Digest manifest, String json) {
        }

        Pushed pushImage(String repo, String tag, long seed) {
            byte[] config = Images.config("2024-01-02T03:04:05Z").getBytes(StandardCharsets.UTF_8);
            byte[] layer = random(300, seed);
            Digest c = http.pushBlob(repo, config);
            Digest l = http.pushBlob(repo, layer);
            String json = Images.imageManifest(c, config.length, l, layer.length);
            return new Pushed(http.pushManifest(repo, tag, MediaTypes.OCI_MANIFEST, json), json);
        }

        @Test
        void pushByTagThenGetByTagAndDigest() {
            Pushed p = pushImage("man/app", "v1", 20);
            assertThat(p.manifest()).isEqualTo(Digest.sha256(p.json()));
            for (String ref : List.of("v1", p.manifest().toString())) {
                HttpResponse<byte[]> r = http.get("/v2/man/app/manifests/" + ref, "Accept", MediaTypes.OCI_MANIFEST);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);
                assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(p.manifest().toString());
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(p.json());
                HttpResponse<byte[]> head = http.head("/v2/man/app/manifests/" + ref);
                assertThat(head.statusCode()).isEqualTo(200);
                assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(p.json().length()));
            }
            assertThat(server.metadata().images("man/")).anySatisfy(row -> {
                assertThat(row.tag()).isEqualTo("v1");
                assertThat(row.created()).hasToString("2024-01-02T03:04:05Z");
                assertThat(row.size()).isGreaterThan(300);
            });
        }

        @Test
        void contentNegotiation() throws Exception {
            pushImage("man/neg", "v1", 21);
            HttpResponse<byte[]> docker = http.get("/v2/man/neg/manifests/v1", "Accept", MediaTypes.DOCKER_MANIFEST);
            assertThat(docker.statusCode()).isEqualTo(404);
            assertThat(errorCode(docker)).isEqualTo("MANIFEST_UNKNOWN");
            HttpResponse<byte[]> several = http.get("/v2/man/neg/manifests/v1",
                    "Accept", MediaTypes.DOCKER_MANIFEST + ", " + MediaTypes.OCI_MANIFEST + ";q=0.9");
            assertThat(several.statusCode()).isEqualTo(200);
            assertThat(http.get("/v2/man/neg/manifests/v1", "Accept", "*/*").statusCode()).isEqualTo(200);
        }

        @Test
        void aManifestWithAMissingBlobIsRefused() throws Exception {
            Digest config = http.pushBlob("man/missing", "{}".getBytes(StandardCharsets.UTF_8));
            String json = Images.imageManifest(config, 2, Digest.sha256("never pushed"), 12);
            HttpResponse<byte[]> r = http.put("/v2/man/missing/manifests/v1", json.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", MediaTypes.OCI_MANIFEST);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
            assertThat(http.get("/v2/man/missing/manifests/v1").statusCode()).isEqualTo(404);
        }

        @Test
        void aManifestWhoseSizesLieIsRefused() throws Exception {
            byte[] layer = random(100, 22);
            Digest config = http.pushBlob("man/lie", "{}".getBytes(StandardCharsets.UTF_8));
            Digest l = http.pushBlob("man/lie", layer);
            String json = Images.imageManifest(config, 2, l, 99);
            HttpResponse<byte[]> r = http.put("/v2/man/lie/manifests/v1", json.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", MediaTypes.OCI_MANIFEST);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_INVALID");
        }

        @Test
        void malformedManifestsAre400() throws Exception {
            Digest config = http.pushBlob("man/bad", "{}".getBytes(StandardCharsets.UTF_8));
            String desc = Images.descriptor(MediaTypes.OCI_CONFIG, config, 2);
            for (String bad : List.of(
                    "not json",
                    "[]",
                    "{\"schemaVersion\":1}",
                    "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"}",
                    "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + desc
                            + ",\"layers\":{}}",
                    "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                            + "{\"mediaType\":\"x/y\",\"digest\":\"sha256:abc\",\"size\":2},\"layers\":[]}",
                    "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                            + "{\"mediaType\":\"x/y\",\"digest\":\"" + config + "\",\"size\":-1},\"layers\":[]}",
                    "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"config\":" + desc
                            + ",\"layers\":[]}",
                    "{\"schemaVersion\":2,\"mediaType\":\"application/x-unknown\",\"config\":" + desc
                            + ",\"layers\":[]}",
                    "{".repeat(1000) + "}".repeat(1000))) {
                HttpResponse<byte[]> r = http.put("/v2/man/bad/manifests/v1", bad.getBytes(StandardCharsets.UTF_8),
                        "Content-Type", MediaTypes.OCI_MANIFEST);
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(errorCode(r)).as(bad).isEqualTo("MANIFEST_INVALID");
            }
            // The Content-Type and the document's mediaType must agree.
            String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + desc
                    + ",\"layers\":[]}";
            HttpResponse<byte[]> mismatch = http.put("/v2/man/bad/manifests/v1", json.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", MediaTypes.DOCKER_MANIFEST);
            assertThat(mismatch.statusCode()).isEqualTo(400);
            assertThat(http.get("/v2/man/bad/manifests/v1").statusCode()).isEqualTo(404);
        }

        @Test
        void pushByDigestMustMatchTheContent() throws Exception {
            Pushed p = pushImage("man/bydigest", "v1", 23);
            HttpResponse<byte[]> r = http.put("/v2/man/bydigest/manifests/" + Digest.sha256("other"),
                    p.json().getBytes(StandardCharsets.UTF_8), "Content-Type", MediaTypes.OCI_MANIFEST);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
            Digest d = http.pushManifest("man/bydigest", p.manifest().toString(), MediaTypes.OCI_MANIFEST, p.json());
            assertThat(d).isEqualTo(p.manifest());
            // sha512 manifests are addressed by their sha512 digest.
            Digest d512 = Digest.of(Digest.Algorithm.SHA512, p.json().getBytes(StandardCharsets.UTF_8));
            assertThat(http.pushManifest("man/bydigest", d512.toString(), MediaTypes.OCI_MANIFEST, p.json()))
                    .isEqualTo(d512);
            assertThat(http.get("/v2/man/bydigest/manifests/" + d512).statusCode()).isEqualTo(200);
        }

        @Test
        void invalidTagsAndOversizedManifests() throws Exception {
            Pushed p = pushImage("man/limits", "ok", 24);
            HttpResponse<byte[]> tag = http.put("/v2/man/limits/manifests/-bad", p.json().getBytes(StandardCharsets.UTF_8),
                    "Content-Type", MediaTypes.OCI_MANIFEST);
            assertThat(tag.statusCode()).isEqualTo(400);
            byte[] huge = ("{\"schemaVersion\":2,\"annotations\":{\"x\":\"" + "a".repeat(70_000) + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            HttpResponse<byte[]> big = http.put("/v2/man/limits/manifests/big", huge, "Content-Type", MediaTypes.OCI_MANIFEST);
            assertThat(big.statusCode()).isEqualTo(413);
            assertThat(errorCode(big)).isEqualTo("SIZE_INVALID");
        }

        @Test
        void indexesNeedTheirChildren() throws Exception {
            Pushed child = pushImage("man/index", "amd64", 25);
            String missing = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                    + Images.descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256("absent"), 10) + "]}";
            HttpResponse<byte[]> r = http.put("/v2/man/index/manifests/multi", missing.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", MediaTypes.OCI_INDEX);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
            String index = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                    + Images.descriptor(MediaTypes.OCI_MANIFEST, child.manifest(), child.json().length()) + "]}";
            Digest d = http.pushManifest("man/index", "multi", MediaTypes.OCI_INDEX, index);
            HttpResponse<byte[]> get = http.get("/v2/man/index/manifests/multi", "Accept", MediaTypes.OCI_INDEX);
            assertThat(get.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
            assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(d.toString());
        }

        @Test
        void dockerSchema2ManifestAndList() {
            byte[] config = Images.config("2023-05-06T07:08:09Z").getBytes(StandardCharsets.UTF_8);
            byte[] layer = random(200, 26);
            Digest c = http.pushBlob("man/docker", config);
            Digest l = http.pushBlob("man/docker", layer);
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":"
                    + Images.descriptor(MediaTypes.DOCKER_CONFIG, c, config.length) + ",\"layers\":["
                    + Images.descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", l, layer.length) + "]}";
            Digest m = http.pushManifest("man/docker", "v2", MediaTypes.DOCKER_MANIFEST, manifest);
            String list = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\",\"manifests\":["
                    + "{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"digest\":\"" + m + "\",\"size\":"
                    + manifest.length() + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
            http.pushManifest("man/docker", "list", MediaTypes.DOCKER_MANIFEST_LIST, list);
            HttpResponse<byte[]> r = http.get("/v2/man/docker/manifests/list",
                    "Accept", MediaTypes.DOCKER_MANIFEST_LIST + "," + MediaTypes.DOCKER_MANIFEST);
            assertThat(r.headers().firstValue("Content-Type")).hasValue(MediaTypes.DOCKER_MANIFEST_LIST);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(list);
        }

        @Test
        void deleteByTagKeepsTheManifestAndByDigestRemovesItsTags() throws Exception {
            Pushed p = pushImage("man/delete", "one", 27);
            http.pushManifest("man/delete", "two", MediaTypes.OCI_MANIFEST, p.json());
            assertThat(http.delete("/v2/man/delete/manifests/one").statusCode()).isEqualTo(202);
            assertThat(http.get("/v2/man/delete/manifests/one").statusCode()).isEqualTo(404);
            assertThat(http.get("/v2/man/delete/manifests/" + p.manifest()).statusCode()).isEqualTo(200);
            assertThat(http.delete("/v2/man/delete/manifests/" + p.manifest()).statusCode()).isEqualTo(202);
            assertThat(http.get("/v2/man/delete/manifests/two").statusCode()).isEqualTo(404);
            HttpResponse<byte[]> again = http.delete("/v2/man/delete/manifests/" + p.manifest());
            assertThat(again.statusCode()).isEqualTo(404);
            assertThat(errorCode(again)).isEqualTo("MANIFEST_UNKNOWN");
        }

        @Test
        void referrers() throws Exception {
            Pushed subject = pushImage("man/refs", "v1", 28);
            Digest empty = http.pushBlob("man/refs", "{}".getBytes(StandardCharsets.UTF_8));
            Digest sigLayer = http.pushBlob("man/refs", "signature".getBytes(StandardCharsets.UTF_8));
            String sig = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                    + "\"artifactType\":\"application/vnd.example.sig\","
                    + "\"config\":" + Images.descriptor(MediaTypes.OCI_EMPTY, empty, 2) + ","
                    + "\"layers\":[" + Images.descriptor("application/octet-stream", sigLayer, 9) + "],"
                    + "\"subject\":" + Images.descriptor(MediaTypes.OCI_MANIFEST, subject.manifest(),
                            subject.json().length()) + ","
                    + "\"annotations\":{\"org.example\":\"yes\"}}";
            HttpResponse<byte[]> put = http.put("/v2/man/refs/manifests/" + Digest.sha256(sig),
                    sig.getBytes(StandardCharsets.UTF_8), "Content-Type", MediaTypes.OCI_MANIFEST);
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(put.headers().firstValue("OCI-Subject")).hasValue(subject.manifest().toString());

            HttpResponse<byte[]> r = http.get("/v2/man/refs/referrers/" + subject.manifest());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
            JsonNode index = JSON.readTree(r.body());
            assertThat(index.path("manifests")).hasSize(1);
            JsonNode entry = index.path("manifests").get(0);
            assertThat(entry.path("digest").asText()).isEqualTo(Digest.sha256(sig).toString());
            assertThat(entry.path("artifactType").asText()).isEqualTo("application/vnd.example.sig");
            assertThat(entry.path("annotations").path("org.example").asText()).isEqualTo("yes");

            HttpResponse<byte[]> filtered = http.get("/v2/man/refs/referrers/" + subject.manifest()
                    + "?artifactType=application/vnd.other");
            assertThat(filtered.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");
            assertThat(JSON.readTree(filtered.body()).path("manifests")).isEmpty();

            // A subject that does not exist has an empty list, not an error.
            HttpResponse<byte[]> none = http.get("/v2/man/refs/referrers/" + Digest.sha256("nothing"));
            assertThat(none.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(none.body()).path("manifests")).isEmpty();

            http.delete("/v2/man/refs/manifests/" + Digest.sha256(sig));
            assertThat(JSON.readTree(http.get("/v2/man/refs/referrers/" + subject.manifest()).body())
                    .path("manifests")).isEmpty();
        }
    }

    @Nested
    class Listings {
        @Test
        void tagsArePagedInLexicalOrder() throws Exception {
            byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
            byte[] layer = random(10, 30);
            Digest c = http.pushBlob("list/tags", config);
            Digest l = http.pushBlob("list/tags", layer);
            String json = Images.imageManifest(c, 2, l, 10);
            List<String> tags = List.of("b", "a", "c10", "c2", "Z");
            for (String t : tags) {
                http.pushManifest("list/tags", t, MediaTypes.OCI_MANIFEST, json);
            }
            JsonNode all = JSON.readTree(http.get("/v2/list/tags/tags/list").body());
            assertThat(all.path("name").asText()).isEqualTo("list/tags");
            assertThat(all.path("tags")).extracting(JsonNode::asText).containsExactly("Z", "a", "b", "c10", "c2");

            HttpResponse<byte[]> page1 = http.get("/v2/list/tags/tags/list?n=2");
            assertThat(JSON.readTree(page1.body()).path("tags")).extracting(JsonNode::asText).containsExactly("Z", "a");
            String link = page1.headers().firstValue("Link").orElseThrow();
            assertThat(link).isEqualTo("</v2/list/tags/tags/list?n=2&last=a>; rel=\"next\"");
            HttpResponse<byte[]> page2 = http.get("/v2/list/tags/tags/list?n=2&last=a");
            assertThat(JSON.readTree(page2.body()).path("tags")).extracting(JsonNode::asText).containsExactly("b", "c10");
            HttpResponse<byte[]> page3 = http.get("/v2/list/tags/tags/list?n=2&last=c10");
            assertThat(JSON.readTree(page3.body()).path("tags")).extracting(JsonNode::asText).containsExactly("c2");
            assertThat(page3.headers().firstValue("Link")).isEmpty();

            assertThat(http.get("/v2/list/tags/tags/list?n=-1").statusCode()).isEqualTo(400);
            HttpResponse<byte[]> unknown = http.get("/v2/list/nothing/tags/list");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(errorCode(unknown)).isEqualTo("NAME_UNKNOWN");
        }

        @Test
        void catalogIsPaged() throws Exception {
            for (String repo : List.of("cat/a", "cat/b", "cat/c")) {
                http.pushBlob(repo, random(5, repo.hashCode()));
            }
            JsonNode all = JSON.readTree(http.get("/v2/_catalog").body());
            assertThat(all.path("repositories")).extracting(JsonNode::asText).contains("cat/a", "cat/b", "cat/c");
            HttpResponse<byte[]> page = http.get("/v2/_catalog?n=1&last=cat/a");
            assertThat(JSON.readTree(page.body()).path("repositories")).extracting(JsonNode::asText).containsExactly("cat/b");
            assertThat(page.headers().firstValue("Link")).hasValue("</v2/_catalog?n=1&last=cat/b>; rel=\"next\"");
        }
    }

    @Nested
    class Names {
        @Test
        void namesOutsideTheGrammarAreRefusedBeforeTouchingTheDisk() throws Exception {
            for (String name : List.of("single", "UPPER/case", "a/-b", "a//b", "a/b_", "a/b.", "a/b..c",
                    "a/%2e%2e/b", "a/..", "a/b%00", "x/" + "a".repeat(300))) {
                HttpResponse<byte[]> r = http.get("/v2/" + name + "/tags/list");
                assertThat(r.statusCode()).as(name).isIn(400, 404);
                if (r.headers().firstValue("Content-Type").orElse("").equals("application/json")) {
                    assertThat(errorCode(r)).as(name).isIn("NAME_INVALID", "NAME_UNKNOWN");
                }
            }
            try (Stream<Path> files = Files.walk(data)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.contains(".."));
            }
        }

        @Test
        void componentsNamedLikeRoutesBelongToTheName() throws Exception {
            byte[] content = random(64, 40);
            Digest d = http.pushBlob("x/blobs", content);
            assertThat(http.get("/v2/x/blobs/blobs/" + d).body()).isEqualTo(content);
            Digest m = http.pushBlob("a/manifests/tags", content);
            assertThat(http.head("/v2/a/manifests/tags/blobs/" + m).statusCode()).isEqualTo(200);
            assertThat(http.get("/v2/x/blobs/blobs/uploads/x").statusCode()).isEqualTo(404);
        }

        @Test
        void unsupportedMethodsAre405() throws Exception {
            HttpResponse<byte[]> r = http.put("/v2/", new byte[0]);
            assertThat(r.statusCode()).isEqualTo(405);
            assertThat(errorCode(r)).isEqualTo("UNSUPPORTED");
        }
    }
}
