package io.slipway.registry.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Platform;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RequiredTools;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry listener caps each connection's unsent queue (TCP_NOTSENT_LOWAT, Linux): set on the
 * listening socket and inherited by the connections it accepts, read back from the kernel.
 */
class UnsentLimitTest {
    @TempDir
    Path data;

    @Test
    void acceptedConnectionsInheritTheCapFromTheListener() throws Exception {
        RequiredTools.require(Platform.isLinux(), "TCP_NOTSENT_LOWAT is set on Linux only, and this is "
                + System.getProperty("os.name"));
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withAuth("none")
                .withListen("127.0.0.1:0").withDataDir(data))) {
            assertThat(UnsentLimit.valuesOn(server.port(), true)).containsExactly(UnsentLimit.BYTES);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                // An answer means the server has accepted the connection.
                OutputStream out = socket.getOutputStream();
                out.write("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] head = new byte[12];
                assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
                assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
                List<Integer> accepted = UnsentLimit.valuesOn(server.port(), false);
                assertThat(accepted).containsExactly(UnsentLimit.BYTES);
            }
        }
    }
}
