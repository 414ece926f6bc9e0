package io.slipway.registry.listen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RegistryHttp;
import io.slipway.registry.testing.TestTls;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admission webhook on its own HTTPS listener, optionally requiring the API server's client certificate. */
class AdmissionListenerTest {
    private static final String REVIEW = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
             "kind":{"group":"","version":"v1","kind":"ConfigMap"},"namespace":"prod","operation":"CREATE",
             "object":{"kind":"ConfigMap"}}}
            """;

    @TempDir
    Path tmp;

    @Test
    void theWebhookAnswersOnItsListenerOnlyAndRequiresTheApiServersCertificate() throws Exception {
        TestTls server = TestTls.create(tmp.resolve("webhook"));
        TestTls apiServer = TestTls.create(tmp.resolve("apiserver"));
        TestTls stranger = TestTls.create(tmp.resolve("stranger"));
        RegistryConfig c = server.withAdmission(RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                .withDataDir(tmp.resolve("data")), apiServer.files.ca());
        try (RegistryServer registry = RegistryServer.start(c)) {
            assertThat(registry.admissionUri().getScheme()).isEqualTo("https");
            assertThat(registry.admissionUri().getPort()).isNotEqualTo(registry.port());

            // The public port no longer serves the webhook: 404 as any missing route.
            HttpResponse<byte[]> publicPort = new RegistryHttp(registry.uri()).post("/admission/v1/validate",
                    REVIEW.getBytes(), "Content-Type", "application/json");
            assertThat(publicPort.statusCode()).isEqualTo(404);
            HttpResponse<byte[]> missing = new RegistryHttp(registry.uri()).post("/no/such/route", REVIEW.getBytes());
            assertThat(publicPort.body()).isEqualTo(missing.body());

            // With the API server's certificate: the review is judged.
            HttpClient mtls = HttpClient.newBuilder().sslContext(server.trusting(apiServer)).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = mtls.send(review(registry, "/admission/v1/validate"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(r.body()).at("/response/uid").asText()).isEqualTo("u-1");

            // Only the webhook lives there: the registry API is not on the admission listener.
            HttpResponse<String> v2 = mtls.send(HttpRequest.newBuilder(registry.admissionUri().resolve("/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(v2.statusCode()).isEqualTo(404);

            // Without a client certificate, or with one another CA signed: no handshake.
            for (HttpClient refused : new HttpClient[] {
                    HttpClient.newBuilder().sslContext(server.trusting()).build(),
                    HttpClient.newBuilder().sslContext(server.trusting(stranger)).build()}) {
                assertThatThrownBy(() -> refused.send(review(registry, "/admission/v1/validate"),
                        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void theAdmissionListenerIsAlwaysTls() throws Exception {
        Path file = tmp.resolve("slipway.yaml");
        Files.writeString(file, "admission: {listen: 127.0.0.1:0}\n");
        assertThatThrownBy(() -> RegistryConfig.load(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("admission needs listen (HOST:PORT) and tls");
        Files.writeString(file, "admission: {listen: 127.0.0.1:8443, tls: {cert: a.crt}}\n");
        assertThatThrownBy(() -> RegistryConfig.load(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("admission.tls.cert and admission.tls.key are both needed");
        Files.writeString(file, """
                tls: {cert: tls/tls.crt, key: tls/tls.key}
                trustedProxies: [10.0.0.0/8, "::1"]
                admission: {listen: 0.0.0.0:8443, tls: {cert: a.crt, key: a.key}, clientCA: api-ca.crt}
                connections: {idleTimeout: 30s, headerTimeout: 5s, minDataRate: 2048, apiBodyBytes: 4096, consoleBodyBytes: 8192}
                """);
        RegistryConfig c = RegistryConfig.load(file);
        assertThat(c.listeners().tls().cert()).isEqualTo(tmp.resolve("tls/tls.crt").toAbsolutePath());
        assertThat(c.listeners().trustedProxies()).hasSize(2);
        assertThat(c.listeners().admission().port()).isEqualTo(8443);
        assertThat(c.listeners().admission().tls().clientCA()).isEqualTo(tmp.resolve("api-ca.crt").toAbsolutePath());
        assertThat(c.listeners().connections().headerTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.listeners().connections().apiBodyBytes()).isEqualTo(4096);
        assertThat(c.listeners().connections().admissionBodyBytes()).isEqualTo(3 * 1024 * 1024);
        assertThat(c.listeners().connections().consoleBodyBytes()).isEqualTo(8192);
    }

    private static HttpRequest review(RegistryServer registry, String path) {
        return HttpRequest.newBuilder(registry.admissionUri().resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(REVIEW)).build();
    }
}
