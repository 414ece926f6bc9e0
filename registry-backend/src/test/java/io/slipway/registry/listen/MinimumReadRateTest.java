package io.slipway.registry.listen;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RegistryHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The minimum body rate is measured per request: a server that has already received plenty from
 * fast clients still cuts a slow one, and the arithmetic holds for any total (Jetty's own handler
 * divided the server's total by one request's time, which let slow clients through and, past
 * ~9.2 GB received, overflowed into failing every body). No timing is asserted.
 */
class MinimumReadRateTest {
    @TempDir
    Path tmp;

    @Test
    void rateArithmeticHoldsForHugeCounts() {
        // 20 GB in 10 s is 2 GB/s: fast, although 20e9 * 1e9 does not fit in a long.
        assertThat(MinimumReadRate.tooSlow(20_000_000_000L, 10_000_000_000L, 1024)).isFalse();
        assertThat(MinimumReadRate.tooSlow(Long.MAX_VALUE / 2, 1_000_000_000L, 1024)).isFalse();
        // 100 bytes in 1 s is below 1024 bytes a second.
        assertThat(MinimumReadRate.tooSlow(100, 1_000_000_000L, 1024)).isTrue();
        assertThat(MinimumReadRate.tooSlow(2048, 1_000_000_000L, 1024)).isFalse();
    }

    @Test
    void aSlowBodyIsCutAfterFastUploads() throws Exception {
        RegistryConfig c = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                .withDataDir(tmp.resolve("data"));
        c = c.withListeners(c.listeners().withConnections(new ListenerSettings.Connections(Duration.ofSeconds(60),
                Duration.ofSeconds(5), 1024, 64 * 1024, 1024 * 1024, 3 * 1024 * 1024)));
        try (RegistryServer server = RegistryServer.start(c)) {
            RegistryHttp http = new RegistryHttp(server.uri());
            // 32 MiB received fast: with the server-wide count a slow body would look fast for hours.
            byte[] blob = new byte[8 << 20];
            Random random = new Random(7);
            for (int i = 0; i < 4; i++) {
                random.nextBytes(blob);
                http.pushBlob("fast/one", blob);
            }
            String head = "POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n";
            try (Socket slow = new Socket("127.0.0.1", server.port())) {
                OutputStream out = slow.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                boolean cut = false;
                // One byte every 200 ms is 5 bytes a second, far below 1024; the bound only keeps a
                // broken build from hanging.
                for (int i = 0; i < 600 && !cut; i++) {
                    try {
                        out.write('{');
                        out.flush();
                        Thread.sleep(200);
                    } catch (IOException e) {
                        cut = true;
                    }
                }
                assertThat(cut).as("slow body cut").isTrue();
            }
            assertThat(http.get("/v2/").statusCode()).isEqualTo(200);
        }
    }
}
