package io.slipway.registry.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.testing.ServerMain;
import io.slipway.testing.RegistryHttp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request log of a registry process ({@code log: {requests: true, format: json}}): one JSON
 * object per request, carrying the id the client sent (or the one the registry made), the route
 * template and the status; a client's id that is not sane is replaced, never echoed.
 */
class RequestLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void eachRequestIsOneJsonLineWithItsRequestId() throws Exception {
        Path config = Files.writeString(dir.resolve("registry.yml"), "auth: none\nlog: {requests: true, format: json}\n");
        Path log = dir.resolve("registry.log");
        Process p = ServerMain.launch(dir.resolve("data"), log, config);
        try {
            RegistryHttp http = new RegistryHttp(URI.create("http://127.0.0.1:" + ServerMain.awaitReady(p)));
            HttpResponse<byte[]> missing = http.get("/v2/team-dev/app/manifests/v9", "X-Request-Id", "pipeline-7.step-2");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("X-Request-Id")).hasValue("pipeline-7.step-2");
            assertThat(RegistryHttp.text(missing)).contains("\"requestId\":\"pipeline-7.step-2\"");
            HttpResponse<byte[]> insane = http.get("/v2/", "X-Request-Id", "x".repeat(200));
            String made = insane.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(made).hasSize(36).isNotEqualTo("x".repeat(200));

            JsonNode line = await(log, "pipeline-7.step-2");
            assertThat(line.path("route").asText()).isEqualTo("/v2/{name}/manifests/{reference}");
            assertThat(line.path("method").asText()).isEqualTo("GET");
            assertThat(line.path("status").asInt()).isEqualTo(404);
            assertThat(line.path("bytesOut").asLong()).isEqualTo(missing.body().length);
            assertThat(await(log, made).path("route").asText()).isEqualTo("/v2/");
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The JSON request line of {@code id} in the log, once it is written (a deadline, not a timing). */
    static JsonNode await(Path log, String id) throws Exception {
        Instant end = Instant.now().plus(Duration.ofMinutes(1));
        while (true) {
            Optional<JsonNode> found = Files.readAllLines(log).stream().filter(l -> l.contains("\"requestId\":\"" + id + "\""))
                    .map(l -> l.substring(l.indexOf('{'))).map(RequestLogTest::parse).findFirst();
            if (found.isPresent() || Instant.now().isAfter(end)) {
                assertThat(found).as(Files.readString(log)).isPresent();
                return found.get();
            }
            Thread.sleep(100);
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
