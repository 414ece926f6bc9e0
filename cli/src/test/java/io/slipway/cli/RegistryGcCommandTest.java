package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.config.LifecycleSettings;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Images;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway registry gc [--dry-run]} from the client command line against a real
 * token-authenticated registry (grace period zero, so what is unreferenced is garbage at once):
 * what it reports, what it frees, and that only the administrator runs it.
 */
class RegistryGcCommandTest {
    @TempDir
    Path tmp;

    IamFixture iam;
    String url;
    Path data;

    @BeforeEach
    void start() throws Exception {
        data = tmp.resolve("data");
        iam = new IamFixture(data, false, c -> c.withLifecycle(new LifecycleSettings(Duration.ofDays(30), Duration.ZERO,
                Duration.ZERO)));
        url = iam.server.uri().toString();
        System.setProperty("slipway.home", tmp.resolve("home").toString());
        System.setProperty("docker.config", tmp.resolve("docker").toString());
    }

    @AfterEach
    void stop() throws Exception {
        iam.close();
        System.clearProperty("slipway.home");
        System.clearProperty("docker.config");
    }

    static final byte[] CONFIG = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);

    Digest push(String repo, String tag, byte[] layer) throws Exception {
        String token = iam.token(iam.keys.get("manager"), "repository:" + repo + ":pull,push,delete");
        for (byte[] blob : List.of(CONFIG, layer)) {
            iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                    "Authorization", "Bearer " + token);
        }
        byte[] manifest = Images.imageManifest(Digest.sha256(CONFIG), CONFIG.length, Digest.sha256(layer), layer.length)
                .getBytes(StandardCharsets.UTF_8);
        var r = iam.http.put("/v2/" + repo + "/manifests/" + tag, manifest, "Content-Type", MediaTypes.OCI_MANIFEST,
                "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(201);
        return Digest.sha256(manifest);
    }

    List<String> stored() throws Exception {
        List<String> names = new ArrayList<>();
        try (var files = Files.walk(data.resolve("blobs"))) {
            files.filter(Files::isRegularFile).forEach(f -> names.add("sha256:" + f.getFileName()));
        }
        return names;
    }

    @Test
    void reportsAndFreesBlobsManifestsAndBytes() throws Exception {
        byte[] gone = "a layer whose image is deleted for good".getBytes(StandardCharsets.UTF_8);
        byte[] kept = "a layer of a tagged image".getBytes(StandardCharsets.UTF_8);
        Digest deleted = push("acme-dev/gc", "old", gone);
        Digest tagged = push("acme-dev/gc", "new", kept);
        String token = iam.token(iam.keys.get("manager"), "repository:acme-dev/gc:delete");
        assertThat(iam.http.send(iam.http.request("/v2/acme-dev/gc/manifests/" + deleted)
                .header("Authorization", "Bearer " + token).DELETE().build()).statusCode()).isEqualTo(202);
        // Bytes in the store no ledger row knows (as an orphan of before the ledger): found by the walk.
        byte[] orphan = "bytes put into the store by hand".getBytes(StandardCharsets.UTF_8);
        Digest o = Digest.sha256(orphan);
        Path file = data.resolve("blobs/sha256/" + o.hex().substring(0, 2) + "/" + o.hex());
        Files.createDirectories(file.getParent());
        Files.write(file, orphan);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(400))));

        CliRun refused = CliRun.as(url, iam.keys.get("manager"), "registry", "gc");
        assertThat(refused.code()).isEqualTo(Slipway.REFUSED);
        assertThat(refused.err()).contains("only the registry administrator collects garbage");

        CliRun dry = CliRun.as(url, iam.adminKey, "registry", "gc", "--dry-run", "--output", "json");
        assertThat(dry.code()).as(dry.err()).isZero();
        JsonNode d = Credentials.JSON.readTree(dry.out());
        assertThat(d.path("dryRun").asBoolean()).isTrue();
        assertThat(d.path("blobs").asInt()).isEqualTo(2);
        assertThat(d.path("manifests").asInt()).isEqualTo(1);
        long bytes = gone.length + orphan.length + iam.http.get("/v2/acme-dev/gc/manifests/new",
                "Authorization", "Bearer " + iam.token(iam.keys.get("manager"), "repository:acme-dev/gc:pull"),
                "Accept", MediaTypes.OCI_MANIFEST).body().length; // both manifests have the same length
        assertThat(d.path("bytesFreed").asLong()).isEqualTo(bytes);
        assertThat(d.path("digests").toString()).contains(deleted.toString(), Digest.sha256(gone).toString(),
                o.toString()).doesNotContain(tagged.toString());
        assertThat(d.path("walk").path("unknown").asInt()).isEqualTo(1);
        assertThat(stored()).contains(o.toString(), deleted.toString(), Digest.sha256(gone).toString());

        CliRun swept = CliRun.as(url, iam.adminKey, "registry", "gc");
        assertThat(swept.code()).as(swept.err()).isZero();
        assertThat(swept.out()).contains("Freed 2 blobs and 1 manifest (").contains(bytes + " bytes).")
                .contains("Walked the blob store: ").contains("1 unknown to the registry's ledger.");
        assertThat(stored()).containsExactlyInAnyOrder(tagged.toString(), Digest.sha256(kept).toString(),
                Digest.sha256(CONFIG).toString());

        // The walk is done once per database; nothing is left to free.
        CliRun again = CliRun.as(url, iam.adminKey, "registry", "gc", "--output", "json");
        JsonNode a = Credentials.JSON.readTree(again.out());
        assertThat(a.path("deleted").asInt()).isZero();
        assertThat(a.has("walk")).isFalse();
        assertThat(CliRun.as(url, iam.adminKey, "registry", "gc", "--output", "yaml").code())
                .isEqualTo(Slipway.BAD_INPUT);
    }
}
