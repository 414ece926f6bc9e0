package io.slipway.registry.listen;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RegistryHttp;
import io.slipway.registry.testing.TestTls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 300 connections that each send a byte a second — half to the admission listener (TLS), half to
 * the management API, half of each dribbling their headers and half a body — do not keep a normal
 * client from its answers, and are cut: the header timeout ends the ones stuck in headers, the
 * minimum data rate the ones stuck in a body. No timing is asserted.
 */
class SlowClientsTest {
    private static final int PER_KIND = 75;
    private static final String REVIEW = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
             "kind":{"group":"","version":"v1","kind":"ConfigMap"},"namespace":"prod","operation":"CREATE",
             "object":{"kind":"ConfigMap"}}}
            """;

    @TempDir
    Path tmp;

    /** A connection that dribbles what it has to send, one byte at a time. */
    private static final class Slow {
        final Socket socket;
        final byte[] text;
        int sent;
        boolean cut;

        Slow(Socket socket, String text) {
            this.socket = socket;
            this.text = text.getBytes(StandardCharsets.US_ASCII);
        }

        void step() {
            if (cut) {
                return;
            }
            try {
                OutputStream out = socket.getOutputStream();
                out.write(text[sent++ % text.length]);
                out.flush();
            } catch (IOException e) {
                cut = true;
            }
        }
    }

    @Test
    void slowConnectionsDoNotStarveOthersAndAreCut() throws Exception {
        TestTls tls = TestTls.create(tmp.resolve("tls"));
        RegistryConfig c = tls.withAdmission(RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                .withDataDir(tmp.resolve("data")), null);
        c = c.withListeners(c.listeners().withConnections(new ListenerSettings.Connections(Duration.ofSeconds(60),
                Duration.ofSeconds(2), 1024, 64 * 1024, 1024 * 1024, 3 * 1024 * 1024)));
        List<Slow> slow = new ArrayList<>();
        try (RegistryServer server = RegistryServer.start(c)) {
            String headers = "POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "X-Padding: " + "p".repeat(200) + "\r\n";
            String withBody = "POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n";
            String review = "POST /admission/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n";
            int admission = server.admissionUri().getPort();
            for (int i = 0; i < PER_KIND; i++) {
                slow.add(new Slow(new Socket("127.0.0.1", server.port()), headers));
                Slow body = new Slow(new Socket("127.0.0.1", server.port()), withBody);
                send(body, withBody.length());
                slow.add(body);
                SSLSocket a = (SSLSocket) tls.trusting().getSocketFactory().createSocket("127.0.0.1", admission);
                a.startHandshake();
                slow.add(new Slow(a, headers.replace("/api/v1/accounts", "/admission/v1/validate")));
                SSLSocket b = (SSLSocket) tls.trusting().getSocketFactory().createSocket("127.0.0.1", admission);
                b.startHandshake();
                Slow reviewBody = new Slow(b, review);
                send(reviewBody, review.length());
                slow.add(reviewBody);
            }
            assertThat(slow).hasSize(300);
            for (Slow s : slow) {
                s.step();
            }

            // While they dribble, a normal client gets its answers from every surface.
            RegistryHttp http = new RegistryHttp(server.uri());
            HttpClient webhook = tls.client(HttpClient.Version.HTTP_1_1);
            for (int round = 0; round < 3; round++) {
                assertThat(http.get("/v2/").statusCode()).isEqualTo(200);
                assertThat(http.get("/api/v1/accounts").statusCode()).isEqualTo(200);
                HttpResponse<String> r = webhook.send(HttpRequest.newBuilder(server.admissionUri().resolve("/admission/v1/validate"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(REVIEW)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                for (Slow s : slow) {
                    s.step();
                }
                Thread.sleep(1000);
            }

            // And every slow one is cut in the end (the loop's bound only keeps a broken build from hanging).
            for (int round = 0; round < 120 && slow.stream().anyMatch(s -> !s.cut); round++) {
                for (Slow s : slow) {
                    s.step();
                }
                Thread.sleep(1000);
            }
            assertThat(slow.stream().filter(s -> !s.cut).count()).as("slow connections still open").isZero();
            assertThat(http.get("/v2/").statusCode()).isEqualTo(200);
        } finally {
            for (Slow s : slow) {
                s.socket.close();
            }
        }
    }

    /** Sends a request's headers at once; from then on its body dribbles (the same bytes again, as body). */
    private static void send(Slow s, int upTo) throws IOException {
        s.socket.getOutputStream().write(s.text, 0, upTo);
        s.socket.getOutputStream().flush();
        s.sent = upTo;
    }
}
