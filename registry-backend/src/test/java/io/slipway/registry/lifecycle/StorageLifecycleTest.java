package io.slipway.registry.lifecycle;

import static io.slipway.testing.RegistryHttp.location;
import static io.slipway.testing.RegistryHttp.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Immutable tags and quotas on both stacks — the embedded default (SQLite + files) and PostgreSQL +
 * S3 (S3Proxy) — through the registry's own HTTP API, as clients meet them.
 */
class StorageLifecycleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "team-app";
    private static final String REPO = NS + "/app";

    @TempDir
    Path dir;
    private StackRegistry registry;
    private RegistryHttp http;

    static Stream<String> stacks() {
        return StackRegistry.stacks();
    }

    void start(String stack) throws Exception {
        registry = StackRegistry.start(stack, dir, 4, c -> c, NS);
        http = registry.http;
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

    /** Pushes a one-layer image whose layer is {@code layer}; its manifest digest. */
    Digest pushImage(String repository, String reference, byte[] layer) {
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        http.pushBlob(repository, config);
        http.pushBlob(repository, layer);
        return http.pushManifest(repository, reference, MediaTypes.OCI_MANIFEST, manifest(config, layer));
    }

    static String manifest(byte[] config, byte[] layer) {
        return Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
    }

    HttpResponse<byte[]> putManifest(String repository, String reference, String json) {
        return http.put("/v2/" + repository + "/manifests/" + reference, json.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST);
    }

    static void assertDenied(HttpResponse<byte[]> r, String... mentions) throws Exception {
        assertThat(r.statusCode()).as(text(r)).isEqualTo(403);
        JsonNode error = JSON.readTree(r.body()).path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo("DENIED");
        assertThat(error.path("message").asText()).contains(mentions);
    }

    /** The audit log's entries of {@code action} on {@code target}, as {@code outcome} strings, newest first. */
    List<String> audited(String action, String target) throws Exception {
        List<String> outcomes = new java.util.ArrayList<>();
        for (JsonNode e : api("GET", "/api/v1/audit?limit=500", null, 200)) {
            if (e.path("action").asText().equals(action) && e.path("target").asText().equals(target)) {
                outcomes.add(e.path("outcome").asText());
            }
        }
        return outcomes;
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    // --- immutable tags

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void anImmutableTagNeverMovesNorGoes(String stack) throws Exception {
        start(stack);
        Digest first = pushImage(REPO, "v1.0", "first".getBytes(StandardCharsets.UTF_8));
        Digest second = pushImage(REPO, "latest", "second".getBytes(StandardCharsets.UTF_8));
        api("POST", "/api/v1/immutable-tags", "{\"scope\":\"" + NS + "\",\"glob\":\"v*\"}", 201);

        // A push that would move it, a tag DELETE, a manifest DELETE and image-tag onto it: refused, naming the rule.
        String secondManifest = manifest(Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8),
                "second".getBytes(StandardCharsets.UTF_8));
        assertDenied(putManifest(REPO, "v1.0", secondManifest), "v1.0", "immutable", "\"v*\"", NS);
        assertDenied(http.delete("/v2/" + REPO + "/manifests/v1.0"), "v1.0", "immutable");
        assertDenied(http.delete("/v2/" + REPO + "/manifests/" + first), "v1.0", "immutable");
        // Each refusal of the registry API is in the audit log, with what was refused and why.
        assertThat(audited("image.push", REPO + ":v1.0")).first().asString()
                .startsWith("refused: tag v1.0 of " + REPO + " is immutable (rule \"v*\" on " + NS + ")");
        assertThat(audited("image.delete", REPO + "@" + first)).first().asString().startsWith("refused: ")
                .contains("immutable");
        assertThat(audited("image.delete", REPO + ":v1.0")).first().asString().contains("immutable");
        JsonNode tag = api("POST", "/api/v1/images/tag", "{\"source\":\"" + REPO + ":latest\",\"target\":\"" + REPO
                + ":v1.0\"}", 403);
        assertThat(tag.path("errors").path(0).path("message").asText()).contains("immutable", "\"v*\"");
        api("DELETE", "/api/v1/images?image=" + URLEncoder.encode(REPO + ":v1.0", StandardCharsets.UTF_8), null, 403);
        assertThat(http.head("/v2/" + REPO + "/manifests/v1.0").headers().firstValue("Docker-Content-Digest"))
                .contains(first.toString());

        // Pushing the same image again is no move; a new immutable tag is set once, then holds.
        assertThat(putManifest(REPO, "v1.0", manifest(Images.config("2024-01-01T00:00:00Z")
                .getBytes(StandardCharsets.UTF_8), "first".getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(201);
        assertThat(putManifest(REPO, "v2.0", secondManifest).statusCode()).isEqualTo(201);
        assertDenied(http.put("/v2/" + REPO + "/manifests/" + first + "?tag=v2.0", manifest(
                Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8), "first".getBytes(
                        StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), "Content-Type", MediaTypes.OCI_MANIFEST),
                "v2.0");
        // Tags the rule does not match move freely.
        assertThat(putManifest(REPO, "latest", secondManifest).statusCode()).isEqualTo(201);
        api("POST", "/api/v1/images/tag", "{\"source\":\"" + REPO + ":v1.0\",\"target\":\"" + REPO + ":latest\"}", 201);

        // A repository rule applies in its repository only.
        api("POST", "/api/v1/immutable-tags", "{\"scope\":\"" + NS + "/other\",\"glob\":\"stable\"}", 201);
        pushImage(NS + "/other", "stable", "third".getBytes(StandardCharsets.UTF_8));
        pushImage(REPO, "stable", "third".getBytes(StandardCharsets.UTF_8));
        assertDenied(http.delete("/v2/" + NS + "/other/manifests/stable"), "\"stable\" on " + NS + "/other");
        assertThat(http.delete("/v2/" + REPO + "/manifests/stable").statusCode()).isEqualTo(202);

        JsonNode rules = api("GET", "/api/v1/immutable-tags?namespace=" + NS, null, 200);
        assertThat(rules).hasSize(2);
        assertThat(rules.path(0).path("scope").asText()).isEqualTo(NS);
        assertThat(rules.path(0).path("glob").asText()).isEqualTo("v*");
        assertThat(rules.path(1).path("scope").asText()).isEqualTo(NS + "/other");

        // Bad rules are refused with what is accepted; removing a rule frees the tag.
        api("POST", "/api/v1/immutable-tags", "{\"scope\":\"" + NS + "\",\"glob\":\"v[0-9]\"}", 400);
        api("POST", "/api/v1/immutable-tags", "{\"scope\":\"Bad/Scope\",\"glob\":\"v*\"}", 400);
        api("POST", "/api/v1/immutable-tags", "{\"scope\":\"nosuchns\",\"glob\":\"v*\"}", 404);
        api("DELETE", "/api/v1/immutable-tags?scope=" + NS + "&glob=x*", null, 404);
        api("DELETE", "/api/v1/immutable-tags?scope=" + NS + "&glob=v*", null, 200);
        assertThat(putManifest(REPO, "v1.0", secondManifest).statusCode()).isEqualTo(201);
        assertThat(http.head("/v2/" + REPO + "/manifests/v1.0").headers().firstValue("Docker-Content-Digest"))
                .contains(second.toString());
    }

    // --- trash

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void imageRmMovesToTheTrashAndRestoreBringsItBack(String stack) throws Exception {
        start(stack);
        byte[] layer = random(50_000, 7);
        Digest image = pushImage(REPO, "1.0", layer);
        http.pushManifest(REPO, "stable", MediaTypes.OCI_MANIFEST, manifest(Images.config("2024-01-01T00:00:00Z")
                .getBytes(StandardCharsets.UTF_8), layer));
        JsonNode removed = api("DELETE", "/api/v1/images?image=" + URLEncoder.encode(REPO + ":1.0", StandardCharsets.UTF_8),
                null, 200);
        assertThat(removed.path("digest").asText()).isEqualTo(image.toString());
        assertThat(removed.path("tags").toString()).contains("1.0", "stable");
        assertThat(http.get("/v2/" + REPO + "/manifests/" + image).statusCode()).isEqualTo(404);
        assertThat(http.get("/v2/" + REPO + "/manifests/stable").statusCode()).isEqualTo(404);

        JsonNode trash = api("GET", "/api/v1/trash?namespace=" + NS, null, 200);
        assertThat(trash).hasSize(1);
        assertThat(trash.path(0).path("digest").asText()).isEqualTo(image.toString());
        assertThat(java.time.Duration.between(java.time.Instant.parse(trash.path(0).path("deleted").asText()),
                java.time.Instant.parse(trash.path(0).path("expires").asText()))).isEqualTo(java.time.Duration.ofDays(30));

        // Meanwhile another image takes one of its tags: the restore leaves that tag where it is.
        Digest other = pushImage(REPO, "stable", random(1_000, 8));
        JsonNode restored = api("POST", "/api/v1/images/restore", "{\"image\":\"" + REPO + ":1.0\"}", 201);
        assertThat(restored.path("tags").toString()).isEqualTo("[\"1.0\"]");
        assertThat(restored.path("tagsTakenMeanwhile").toString()).isEqualTo("[\"stable\"]");
        assertThat(http.head("/v2/" + REPO + "/manifests/1.0").headers().firstValue("Docker-Content-Digest"))
                .contains(image.toString());
        assertThat(http.head("/v2/" + REPO + "/manifests/stable").headers().firstValue("Docker-Content-Digest"))
                .contains(other.toString());
        HttpResponse<byte[]> blob = http.get("/v2/" + REPO + "/blobs/" + Digest.sha256(layer));
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).isEqualTo(layer);
        assertThat(api("GET", "/api/v1/trash", null, 200)).isEmpty();

        // By digest too; a second restore finds nothing.
        api("DELETE", "/api/v1/images?image=" + URLEncoder.encode(REPO + "@" + image, StandardCharsets.UTF_8), null, 200);
        api("POST", "/api/v1/images/restore", "{\"image\":\"" + REPO + "@" + image + "\"}", 201);
        api("POST", "/api/v1/images/restore", "{\"image\":\"" + REPO + "@" + image + "\"}", 404);
        api("POST", "/api/v1/images/restore", "{\"image\":\"" + REPO + ":nosuchtag\"}", 404);
    }

    @Test
    void theTrashForgetsAfterItsRetention() throws Exception {
        registry = StackRegistry.start(StackRegistry.EMBEDDED, dir, 4,
                c -> c.withLifecycle(new io.slipway.registry.config.LifecycleSettings(java.time.Duration.ZERO,
                        java.time.Duration.ZERO, java.time.Duration.ofHours(1))), NS);
        http = registry.http;
        Digest image = pushImage(REPO, "1.0", random(100, 9));
        api("DELETE", "/api/v1/images?image=" + URLEncoder.encode(REPO + "@" + image, StandardCharsets.UTF_8), null, 200);
        Thread.sleep(5); // the entry must be older than a retention of zero
        assertThat(api("GET", "/api/v1/trash", null, 200)).isEmpty();
        api("POST", "/api/v1/images/restore", "{\"image\":\"" + REPO + "@" + image + "\"}", 404);
    }

    // --- quotas

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void aPushOverTheStorageQuotaIsRefusedBeforeItsBytesAreKept(String stack) throws Exception {
        start(stack);
        JsonNode quota = api("POST", "/api/v1/quota", "{\"storage\":\"20KB\"}", 201);
        assertThat(quota.path("storage").path("limit").asLong()).isEqualTo(20_000);
        assertThat(quota.path("traffic").path("limit").isNull()).isTrue();

        byte[] a = random(12_000, 1);
        byte[] b = random(12_000, 2);
        Digest da = http.pushBlob(REPO, a);
        // Known length (monolithic POST): refused before a byte is stored.
        HttpResponse<byte[]> r = http.post("/v2/" + REPO + "/blobs/uploads/?digest=" + Digest.sha256(b), b,
                "Content-Type", "application/octet-stream");
        assertDenied(r, "storage quota", "20.0 KB", NS);
        assertThat(audited("blob.push", REPO)).first().asString().startsWith("refused: storage quota exceeded");
        assertThat(http.head("/v2/" + REPO + "/blobs/" + Digest.sha256(b)).statusCode()).isEqualTo(404);
        // Known length in a PATCH: refused, and the upload keeps what it had.
        HttpResponse<byte[]> started = http.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]);
        String upload = location(started);
        assertDenied(http.patch(upload, b, "Content-Type", "application/octet-stream"), "storage quota");
        assertThat(http.get(upload).headers().firstValue("Range")).contains("0-0");
        // Unknown length (chunked): stored to the upload area, refused at the commit, the upload discarded.
        HttpResponse<byte[]> chunked = http.send(http.request(upload + "?digest=" + Digest.sha256(b))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(b))).build());
        assertDenied(chunked, "storage quota");
        assertThat(http.get(upload).statusCode()).isEqualTo(404);
        assertThat(http.head("/v2/" + REPO + "/blobs/" + Digest.sha256(b)).statusCode()).isEqualTo(404);

        // A blob the account holds already costs nothing: pushed again elsewhere, or mounted.
        assertThat(http.pushBlob(NS + "/copy", a)).isEqualTo(da);
        HttpResponse<byte[]> mount = http.post("/v2/" + NS + "/mounted/blobs/uploads/?mount=" + da + "&from=" + REPO,
                new byte[0]);
        assertThat(mount.statusCode()).as(text(mount)).isEqualTo(201);
        JsonNode used = api("GET", "/api/v1/quota", null, 200);
        assertThat(used.path("storage").path("used").asLong()).isEqualTo(12_000);

        // Raising the quota lets the push through; "unlimited" lifts it.
        api("POST", "/api/v1/quota", "{\"storage\":\"30KB\"}", 201);
        http.pushBlob(REPO, b);
        api("POST", "/api/v1/quota", "{\"storage\":\"unlimited\"}", 201);
        assertThat(api("GET", "/api/v1/quota", null, 200).path("storage").path("limit").isNull()).isTrue();
        api("POST", "/api/v1/quota", "{\"storage\":\"5 parsecs\"}", 400);
        api("POST", "/api/v1/quota", "{}", 400);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void aPullOverTheTrafficQuotaIsRefused(String stack) throws Exception {
        start(stack);
        byte[] a = random(6_000, 3);
        Digest da = http.pushBlob(REPO, a);
        api("POST", "/api/v1/quota", "{\"traffic\":\"10KB\"}", 201);
        HttpResponse<byte[]> first = http.get("/v2/" + REPO + "/blobs/" + da);
        assertThat(first.statusCode()).as(text(first)).isIn(200, 307);
        HttpResponse<byte[]> over = http.get("/v2/" + REPO + "/blobs/" + da);
        assertDenied(over, "pull traffic quota", "10.0 KB");
        assertThat(audited("blob.pull", REPO + "@" + da)).containsExactly(
                "refused: " + JSON.readTree(over.body()).path("errors").path(0).path("message").asText());
        JsonNode quota = api("GET", "/api/v1/quota", null, 200);
        assertThat(quota.path("traffic").path("used").asLong()).isEqualTo(6_000);
        assertThat(quota.path("month").asText()).matches("\\d{4}-\\d{2}");
        // HEAD sends no bytes and counts nothing.
        assertThat(http.head("/v2/" + REPO + "/blobs/" + da).statusCode()).isEqualTo(200);
    }

    @Test
    void sizesAreReadAsPeopleWriteThem() {
        assertThat(Sizes.parse("500MB")).isEqualTo(500_000_000L);
        assertThat(Sizes.parse("2GiB")).isEqualTo(2L << 30);
        assertThat(Sizes.parse("1.5 kb")).isEqualTo(1500L);
        assertThat(Sizes.parse("1048576")).isEqualTo(1048576L);
        assertThat(Sizes.parse("unlimited")).isNull();
        assertThatThrownBy(() -> Sizes.parse("-5MB")).isInstanceOf(TenancyException.class).hasMessageContaining("500MB");
        assertThatThrownBy(() -> Sizes.parse("99999999999PB")).isInstanceOf(TenancyException.class);
        assertThat(Sizes.format(20_000)).isEqualTo("20.0 KB");
        assertThat(Sizes.format(999)).isEqualTo("999 B");
    }

    @Test
    void globsMatchTagsWhole() {
        assertThat(ImmutableTags.matches("v*", "v1.0")).isTrue();
        assertThat(ImmutableTags.matches("v?.0", "v1.0")).isTrue();
        assertThat(ImmutableTags.matches("v*", "latest")).isFalse();
        assertThat(ImmutableTags.matches("1.0", "1x0")).isFalse();
    }
}
