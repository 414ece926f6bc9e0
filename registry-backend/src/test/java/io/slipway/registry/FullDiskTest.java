package io.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import io.slipway.testing.RequiredTools;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data folder on a real 8 MiB tmpfs that is then filled: pushes and manifest PUTs are refused
 * with 507 DENIED naming the cause, reads go on, nothing half-written stays, the registry starts on
 * the full disk, and writes work again once space returns. Mounting needs root (CI runs as root).
 */
class FullDiskTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aFullDiskRefusesWritesAndKeepsReads() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", data.toString())
                .redirectErrorStream(true).start();
        String mountOutput = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        RequiredTools.require(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
                "a tmpfs cannot be mounted here (needs root, as CI runs): " + mountOutput.trim());
        try {
            RegistryConfig config = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0").withDataDir(data);
            byte[] config1 = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
            byte[] layer = random(100_000, 1);
            Digest c;
            Digest l;
            Digest m;
            Path filler = data.resolve("filler");
            try (RegistryServer server = RegistryServer.start(config)) {
                RegistryHttp http = new RegistryHttp(server.uri());
                c = http.pushBlob("full/app", config1);
                l = http.pushBlob("full/app", layer);
                m = http.pushManifest("full/app", "1.0", MediaTypes.OCI_MANIFEST,
                        Images.imageManifest(c, config1.length, l, layer.length));
                fill(filler);

                byte[] big = random(2_000_000, 2);
                HttpResponse<byte[]> push = http.post("/v2/full/app/blobs/uploads/?digest=" + Digest.sha256(big), big,
                        "Content-Type", "application/octet-stream");
                assertFull(push);
                String manifest = Images.imageManifest(c, config1.length, l, layer.length).replace("}", " }");
                HttpResponse<byte[]> put = http.put("/v2/full/app/manifests/2.0", manifest.getBytes(StandardCharsets.UTF_8),
                        "Content-Type", MediaTypes.OCI_MANIFEST);
                assertFull(put);
                assertThat(http.get("/v2/full/app/blobs/" + l).body()).isEqualTo(layer);
                assertThat(http.get("/v2/full/app/manifests/1.0").statusCode()).isEqualTo(200);
                assertThat(http.get("/v2/full/app/manifests/2.0").statusCode()).isEqualTo(404);
                assertThat(http.head("/v2/full/app/blobs/" + Digest.sha256(big)).statusCode()).isEqualTo(404);
            }
            // Nothing half-written: no temporary or upload bytes were left by the refused writes.
            try (var tmp = Files.list(data.resolve("tmp")); var uploads = Files.list(data.resolve("uploads"))) {
                assertThat(tmp.toList()).isEmpty();
                assertThat(uploads.toList()).isEmpty();
            }
            // It starts on the full disk and serves reads.
            try (RegistryServer server = RegistryServer.start(config)) {
                RegistryHttp http = new RegistryHttp(server.uri());
                assertThat(http.get("/v2/full/app/blobs/" + l).body()).isEqualTo(layer);
                assertThat(http.get("/v2/full/app/manifests/" + m).statusCode()).isEqualTo(200);
                Files.delete(filler); // space returns
                byte[] big = random(2_000_000, 3);
                Digest d = http.pushBlob("full/app", big);
                assertThat(http.get("/v2/full/app/blobs/" + d).body()).isEqualTo(big);
                http.pushManifest("full/app", "2.0", MediaTypes.OCI_MANIFEST,
                        Images.imageManifest(c, config1.length, d, big.length));
            }
        } finally {
            new ProcessBuilder("umount", "-l", data.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void assertFull(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(507);
        var error = JSON.readTree(r.body()).path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo("DENIED");
        assertThat(error.path("message").asText()).contains("storage is full");
    }

    /** Writes until the file system refuses another byte. */
    private static void fill(Path filler) throws Exception {
        try (var out = java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (int size : new int[] {64 * 1024, 4096, 1}) {
                try {
                    while (true) {
                        out.write(java.nio.ByteBuffer.allocate(size), out.size());
                    }
                } catch (java.io.IOException full) {
                    // no room for another piece of this size; try smaller ones
                }
            }
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
