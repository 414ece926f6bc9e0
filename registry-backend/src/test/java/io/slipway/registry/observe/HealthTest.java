package io.slipway.registry.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RegistryHttp;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probes: alive while the process runs; ready only while the database and the blob store answer. */
class HealthTest {
    @TempDir
    Path dir;

    @Test
    void readyWhileTheStoresAnswerAndNotReadyWithTheReasonWhenTheBlobStoreFails() throws Exception {
        Path data = dir.resolve("data");
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withListen("127.0.0.1:0")
                .withDataDir(data))) {
            RegistryHttp http = new RegistryHttp(server.uri());
            HttpResponse<byte[]> alive = http.get("/healthz");
            assertThat(alive.statusCode()).isEqualTo(200);
            assertThat(RegistryHttp.text(alive)).contains("\"status\":\"alive\"");
            HttpResponse<byte[]> ready = http.get("/readyz");
            assertThat(ready.statusCode()).as(RegistryHttp.text(ready)).isEqualTo(200);
            assertThat(RegistryHttp.text(ready)).contains("\"status\":\"ready\"");
            // Probes need no credentials even on a token registry, and carry a request id like every answer.
            assertThat(ready.headers().firstValue("X-Request-Id")).isPresent();

            // The blob store breaks: where its sha256 folder was there is now a file.
            Path sha256 = data.resolve("blobs").resolve("sha256");
            if (Files.exists(sha256)) {
                try (var walk = Files.walk(sha256)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.writeString(sha256, "not a folder");
            HttpResponse<byte[]> broken = http.get("/readyz");
            assertThat(broken.statusCode()).isEqualTo(503);
            assertThat(RegistryHttp.text(broken)).contains("\"status\":\"not ready\"").contains("blob store:");
            assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
            Files.delete(sha256);
            assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
        }
    }
}
