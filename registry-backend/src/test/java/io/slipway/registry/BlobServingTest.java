package io.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RegistryHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blob GETs from the file store are sent by the kernel (sendfile) in regions of at most 8 MiB:
 * a blob larger than several regions, whole and ranged across region boundaries, on one kept-alive
 * connection (the framing must stay exact for the next answer), to a reader slower than the
 * server (incomplete writes resume where they stopped), and to a reader that goes away half-way.
 * Spoken as raw HTTP/1.1 so every byte on the wire is checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlobServingTest {
    private static final int SIZE = 20 * 1024 * 1024 + 12_345;

    @TempDir
    static Path data;

    RegistryServer server;
    byte[] content;
    Digest digest;

    @BeforeAll
    void start() throws Exception {
        server = RegistryServer.start(RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                .withDataDir(data));
        content = new byte[SIZE];
        new Random(23).nextBytes(content);
        digest = new RegistryHttp(server.uri()).pushBlob("serve/big", content);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    @Test
    void wholeAndRangedGetsShareOneConnectionByteExact() throws Exception {
        try (Socket socket = connect()) {
            Answer whole = get(socket, null, false);
            assertThat(whole.status).isEqualTo(200);
            assertThat(whole.headers.get("content-length")).isEqualTo(String.valueOf(SIZE));
            assertThat(whole.body).isEqualTo(content);

            // Across the first and second region boundaries (8 MiB, 16 MiB).
            long from = 8L * 1024 * 1024 - 100;
            long to = 16L * 1024 * 1024 + 100;
            Answer part = get(socket, "bytes=" + from + "-" + to, false);
            assertThat(part.status).isEqualTo(206);
            assertThat(part.headers.get("content-range")).isEqualTo("bytes " + from + "-" + to + "/" + SIZE);
            assertThat(part.body).isEqualTo(Arrays.copyOfRange(content, (int) from, (int) to + 1));

            Answer tail = get(socket, "bytes=-7", false);
            assertThat(tail.body).isEqualTo(Arrays.copyOfRange(content, SIZE - 7, SIZE));

            Answer again = get(socket, null, false);
            assertThat(Digest.sha256(again.body)).isEqualTo(digest);
        }
    }

    @Test
    void aSlowReaderGetsEveryByte() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new java.net.InetSocketAddress(server.uri().getHost(), server.uri().getPort()));
            socket.setSoTimeout(60_000);
            Answer slow = get(socket, null, true);
            assertThat(slow.status).isEqualTo(200);
            assertThat(slow.body).isEqualTo(content);
        }
    }

    @Test
    void aReaderThatLeavesHalfWayDoesNotDisturbTheNext() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Socket socket = connect()) {
                request(socket, null);
                byte[] some = socket.getInputStream().readNBytes(1024 * 1024);
                assertThat(some.length).isEqualTo(1024 * 1024);
            }
        }
        try (Socket socket = connect()) {
            assertThat(get(socket, null, false).body).isEqualTo(content);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(server.uri().getHost(), server.uri().getPort());
        socket.setSoTimeout(60_000);
        return socket;
    }

    record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    private void request(Socket socket, String range) throws IOException {
        OutputStream out = socket.getOutputStream();
        String req = "GET /v2/serve/big/blobs/" + digest + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (range == null ? "" : "Range: " + range + "\r\n") + "\r\n";
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private Answer get(Socket socket, String range, boolean slowly) throws Exception {
        request(socket, range);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            assertThat(b).as("connection closed inside the headers").isNotNegative();
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.get("content-length"));
        byte[] body = new byte[length];
        int at = 0;
        while (at < length) {
            int r = in.read(body, at, Math.min(slowly ? 32 * 1024 : length - at, length - at));
            assertThat(r).as("connection closed after %d of %d bytes", at, length).isPositive();
            at += r;
            if (slowly && at < 2 * 1024 * 1024) {
                // Slower than the server for the first 2 MiB: its socket buffer fills many times.
                Thread.sleep(1);
            }
        }
        return new Answer(status, headers, body);
    }
}
