package io.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RegistryHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data folder is its owner's alone whatever the umask: folders 0700, files 0600 (the databases,
 * blobs, uploads), the generated administrator key in its own 0600 file and in no record's toString.
 */
class SecretsAtRestTest {
    @TempDir
    Path dir;

    @Test
    void theDataFolderAndEverythingInItIsPrivate() throws Exception {
        Path data = dir.resolve("data");
        // A folder someone made world-readable before the first start is tightened.
        Files.createDirectories(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(data))) {
            Path keyFile = server.adminKeyFile();
            assertThat(keyFile).isEqualTo(data.resolve("admin-api-key").toAbsolutePath());
            if (System.getenv("SLIPWAY_ADMIN_API_KEY") == null) {
                String key = server.bootstrap().generatedKey();
                assertThat(Files.readString(keyFile).trim()).isEqualTo(key);
                assertThat(server.bootstrap().toString()).doesNotContain(key);
            }
        }
        // An open registry on the same folder, to put a blob and an upload in it.
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withAuth("none")
                .withListen("127.0.0.1:0").withDataDir(data))) {
            RegistryHttp http = new RegistryHttp(server.uri());
            Digest blob = http.pushBlob("secret/image", "private layer".getBytes());
            assertThat(http.post("/v2/secret/image/blobs/uploads/", new byte[0]).statusCode()).isEqualTo(202);
            try (Stream<Path> all = Files.walk(data)) {
                for (Path p : all.toList()) {
                    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                    assertThat(mode).as(data.relativize(p).toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
                }
            }
            assertThat(Files.exists(data.resolve("blobs/sha256/" + blob.hex().substring(0, 2) + "/" + blob.hex()))).isTrue();
            assertThat(data.resolve("metadata.db")).exists();
        }
    }
}
