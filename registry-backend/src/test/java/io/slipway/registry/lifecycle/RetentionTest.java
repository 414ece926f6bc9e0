package io.slipway.registry.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retention policies, {@code retention-run} and {@code image-prune-untagged} on both stacks, through
 * the management API: what stays, what goes to the trash (and comes back), what an immutable tag
 * keeps, and that a cosign signature is neither counted nor pruned.
 */
class RetentionTest {
    private static final String NS = "team-app";
    private static final String APP = NS + "/app";
    private static final String NS2 = "team-b";
    private static final String TOOL = NS2 + "/tool";

    @TempDir
    Path dir;
    private StackRegistry registry;
    private RegistryHttp http;
    private long seed;

    static Stream<String> stacks() {
        return StackRegistry.stacks();
    }

    void start(String stack) throws Exception {
        registry = StackRegistry.start(stack, dir, 4, c -> c, NS, NS2);
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

    /** Pushes a distinct one-layer image, by {@code tag} or (null) by digest only; its digest. */
    Digest push(String repository, String tag) throws Exception {
        return push(repository, tag, null);
    }

    private final java.util.Map<Digest, Integer> sizes = new java.util.HashMap<>();

    /** As {@link #push(String, String)}; with a {@code subject}, an OCI referrer of that image. */
    Digest push(String repository, String tag, Digest subject) throws Exception {
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[2_000];
        new Random(++seed).nextBytes(layer);
        http.pushBlob(repository, config);
        http.pushBlob(repository, layer);
        String manifest = Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
        if (subject != null) {
            manifest = manifest.substring(0, manifest.length() - 1) + ",\"subject\":"
                    + Images.descriptor(MediaTypes.OCI_MANIFEST, subject, sizes.get(subject)) + "}";
        }
        sizes.put(Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8)), manifest.getBytes(StandardCharsets.UTF_8).length);
        Digest digest = Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8));
        http.pushManifest(repository, tag == null ? digest.toString() : tag, MediaTypes.OCI_MANIFEST, manifest);
        Thread.sleep(3); // push times are kept in milliseconds: each image its own, so "newest" is one order
        return digest;
    }

    boolean live(String repository, Digest d) {
        return http.head("/v2/" + repository + "/manifests/" + d).statusCode() == 200;
    }

    static List<String> digests(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(e -> out.add(e.path("digest").asText()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void retentionKeepsTheNewestImagesAndTrashesTheRest(String stack) throws Exception {
        start(stack);
        api("POST", "/api/v1/immutable-tags", "{\"scope\":\"" + APP + "\",\"glob\":\"1\"}", 201);
        Digest a1 = push(APP, "1"); // oldest, immutable: kept and reported
        Digest a2 = push(APP, "2");
        Digest u1 = push(APP, null); // untagged: counts like any image
        Digest a3 = push(APP, "3");
        Digest a4 = push(APP, "4");
        Digest sig = push(APP, "sha256-" + a1.hex() + ".sig"); // cosign's signature of a1: not an image of its own
        Digest referrer = push(APP, null, a1); // an OCI referrer of a1, untagged: not an image of its own either
        Digest b1 = push(TOOL, "x");
        Digest b2 = push(TOOL, "y");

        // Bad input is refused and nothing is set.
        api("POST", "/api/v1/retention-policies", "{\"namespace\":\"" + NS + "\",\"images\":0}", 400);
        api("POST", "/api/v1/retention-policies", "{\"namespace\":\"" + APP + "\",\"images\":2}", 400);
        api("POST", "/api/v1/retention/run", "{\"namespace\":\"" + NS + "\"}", 404); // no policy yet
        api("POST", "/api/v1/retention-policies", "{\"namespace\":\"nosuchns\",\"images\":2}", 404);

        JsonNode policy = api("POST", "/api/v1/retention-policies", "{\"namespace\":\"" + NS + "\",\"images\":2}", 201);
        assertThat(policy.path("images").asLong()).isEqualTo(2);
        assertThat(policy.path("retainUntagged").asBoolean()).isFalse();

        // A dry run says what would go and changes nothing.
        JsonNode dry = api("POST", "/api/v1/retention/run", "{\"namespace\":\"" + NS + "\",\"dryRun\":true}", 201);
        assertThat(dry.path("dryRun").asBoolean()).isTrue();
        assertThat(digests(dry.path("trashed"))).containsExactlyInAnyOrder(a2.toString(), u1.toString());
        assertThat(digests(dry.path("refused"))).containsExactly(a1.toString());
        assertThat(dry.path("refused").path(0).path("reason").asText()).contains("immutable");
        assertThat(api("GET", "/api/v1/trash", null, 200)).isEmpty();
        for (Digest d : List.of(a1, a2, u1, a3, a4, sig, referrer)) {
            assertThat(live(APP, d)).as(d.toString()).isTrue();
        }

        JsonNode run = api("POST", "/api/v1/retention/run", "{\"namespace\":\"" + NS + "\"}", 201);
        assertThat(digests(run.path("trashed"))).containsExactlyInAnyOrder(a2.toString(), u1.toString());
        assertThat(digests(run.path("refused"))).containsExactly(a1.toString());
        for (Digest d : List.of(a1, a3, a4, sig, referrer)) {
            assertThat(live(APP, d)).as("kept " + d).isTrue();
        }
        assertThat(live(APP, a2)).isFalse();
        assertThat(live(APP, u1)).isFalse();
        assertThat(http.head("/v2/" + APP + "/manifests/sha256-" + a1.hex() + ".sig").statusCode()).isEqualTo(200);
        assertThat(live(TOOL, b1)).isTrue(); // another namespace: untouched
        assertThat(digests(api("GET", "/api/v1/trash", null, 200))).containsExactlyInAnyOrder(a2.toString(), u1.toString());
        // A second run finds nothing more to do.
        assertThat(api("POST", "/api/v1/retention/run", "{\"namespace\":\"" + NS + "\"}", 201).path("trashed")).isEmpty();

        // --retain-untagged keeps every untagged image and counts only tagged ones.
        Digest u2 = push(TOOL, null);
        api("POST", "/api/v1/retention-policies", "{\"namespace\":\"" + NS2 + "\",\"images\":1,\"retainUntagged\":true}", 201);
        JsonNode tool = api("POST", "/api/v1/retention/run", "{\"namespace\":\"" + NS2 + "\"}", 201);
        assertThat(digests(tool.path("trashed"))).containsExactly(b1.toString());
        assertThat(live(TOOL, b2)).isTrue();
        assertThat(live(TOOL, u2)).isTrue();
        JsonNode policies = api("GET", "/api/v1/retention-policies", null, 200);
        assertThat(policies).hasSize(2);
        assertThat(api("GET", "/api/v1/retention-policies?namespace=" + NS2, null, 200).path(0).path("retainUntagged")
                .asBoolean()).isTrue();

        // image-prune-untagged: the untagged ones only, dry first.
        JsonNode pruneDry = api("POST", "/api/v1/images/prune-untagged", "{\"namespace\":\"" + NS2 + "\",\"dryRun\":true}", 201);
        assertThat(digests(pruneDry.path("trashed"))).containsExactly(u2.toString());
        assertThat(live(TOOL, u2)).isTrue();
        api("POST", "/api/v1/images/prune-untagged", "{\"namespace\":\"" + NS2 + "\"}", 201);
        assertThat(live(TOOL, u2)).isFalse();
        assertThat(live(TOOL, b2)).isTrue();

        // What retention trashed comes back with its tags.
        JsonNode restored = api("POST", "/api/v1/images/restore", "{\"image\":\"" + APP + ":2\"}", 201);
        assertThat(restored.path("digest").asText()).isEqualTo(a2.toString());
        assertThat(http.head("/v2/" + APP + "/manifests/2").headers().firstValue("Docker-Content-Digest"))
                .contains(a2.toString());
        api("POST", "/api/v1/images/restore", "{\"image\":\"" + APP + "@" + u1 + "\"}", 201);
        api("POST", "/api/v1/images/restore", "{\"image\":\"" + TOOL + "@" + u2 + "\"}", 201);
        assertThat(live(APP, u1)).isTrue();
        assertThat(live(TOOL, u2)).isTrue();
        assertThat(digests(api("GET", "/api/v1/trash", null, 200))).containsExactly(b1.toString());
    }
}
