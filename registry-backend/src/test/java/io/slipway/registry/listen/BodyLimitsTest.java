package io.slipway.registry.listen;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RegistryHttp;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies are bounded per route: the management API, /token and the console's forms by their
 * own limits, uploads by theirs.
 */
class BodyLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void eachRouteHasItsOwnBodyLimit() throws Exception {
        RegistryConfig c = RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(tmp.resolve("data"));
        c = c.withListeners(c.listeners().withConnections(new ListenerSettings.Connections(Duration.ofSeconds(60),
                Duration.ofSeconds(20), 1024, 1024, 4096, 3 * 1024 * 1024, 2048)));
        try (RegistryServer server = RegistryServer.start(c)) {
            RegistryHttp http = new RegistryHttp(server.uri());
            byte[] big = ("{\"name\":\"" + "a".repeat(5000) + "\"}").getBytes();
            assertThat(http.post("/api/v1/accounts", big, "Content-Type", "application/json").statusCode()).isEqualTo(413);
            assertThat(http.post("/token", new byte[2048], "Content-Type", "application/x-www-form-urlencoded").statusCode())
                    .isEqualTo(413);
            byte[] form = ("csrf=x&apiKey=" + "k".repeat(3000)).getBytes();
            assertThat(http.post("/console/login", form, "Content-Type", "application/x-www-form-urlencoded").statusCode())
                    .isEqualTo(413);
            // Within the limit the route answers as ever (401: no credentials), and other routes are not bounded by it.
            assertThat(http.post("/api/v1/accounts", "{\"name\":\"x\"}".getBytes(), "Content-Type", "application/json")
                    .statusCode()).isEqualTo(401);
            assertThat(http.post("/v2/team/app/blobs/uploads/", big).statusCode()).isEqualTo(401);
            // a small sign-in form without its token cookie is refused by the console itself (403), not by the limit
            assertThat(http.post("/console/login", "csrf=x&apiKey=k".getBytes(), "Content-Type",
                    "application/x-www-form-urlencoded").statusCode()).isEqualTo(403);
        }
    }
}
