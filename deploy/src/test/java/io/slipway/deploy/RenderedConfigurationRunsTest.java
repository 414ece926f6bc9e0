package io.slipway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.testing.TestTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of a pod without a cluster: the registry started from exactly the
 * configuration the chart renders (its files where the Deployment mounts them, under a scratch
 * root), answering the Deployment's probes on the port they name, HTTPS on the registry port, and
 * the webhook's path on the admission port with the API server's client certificate only.
 */
class RenderedConfigurationRunsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void theRegistryRunsOnTheRenderedConfigurationAndAnswersProbesAndWebhooks() throws Exception {
        List<HasMetadata> objects = Chart.objects(Chart.render(
                Chart.DIR.resolve("ci/tls-certmanager-admission-values.yaml"), Map.of()));
        String registryYaml = SlipwayChartTest.one(objects, ConfigMap.class).getData().get("registry.yaml");
        Deployment deployment = SlipwayChartTest.one(objects, Deployment.class);
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        var webhook = SlipwayChartTest.one(objects, ValidatingWebhookConfiguration.class).getWebhooks().get(0);

        // The Secrets' files where the pod mounts them: the registry's certificate, the admission
        // listener's (what cert-manager writes: ca.crt, tls.crt, tls.key) and the API server's client CA.
        TestTls serving = TestTls.create(Files.createDirectories(under("/etc/slipway/tls")));
        TestTls admission = TestTls.create(Files.createDirectories(under("/etc/slipway/admission-tls")));
        TestTls apiServer = TestTls.create(Files.createDirectories(root.resolve("apiserver")));
        Files.createDirectories(under("/etc/slipway/admission-client-ca"));
        Files.copy(apiServer.files.ca(), under("/etc/slipway/admission-client-ca/ca.crt"));
        Files.createDirectories(under("/var/lib/slipway"));

        // Only the roots and the addresses change: loopback and free ports instead of the pod's.
        String local = registryYaml.replace("/etc/slipway/", under("/etc/slipway") + "/")
                .replace("/var/lib/slipway/", under("/var/lib/slipway") + "/")
                .replace("0.0.0.0:5000", "127.0.0.1:0").replace("0.0.0.0:8443", "127.0.0.1:0")
                .replace("0.0.0.0:9102", "127.0.0.1:0");
        Path config = Files.createDirectories(under("/etc/slipway/config")).resolve("registry.yaml");
        Files.writeString(config, local);

        try (RegistryServer server = RegistryServer.start(RegistryConfig.load(config))) {
            // The probes, on the port and scheme the Deployment names (the metrics listener, plain HTTP).
            assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
            int metrics = server.observability().metricsPort();
            assertThat(metrics).isPositive();
            HttpClient plain = HttpClient.newHttpClient();
            URI probes = URI.create("http://127.0.0.1:" + metrics);
            assertThat(get(plain, probes.resolve(container.getLivenessProbe().getHttpGet().getPath())).statusCode()).isEqualTo(200);
            assertThat(eventually200(plain, probes.resolve(container.getReadinessProbe().getHttpGet().getPath())))
                    .as("ready once started").isEqualTo(200);
            HttpResponse<String> scrape = get(plain, probes.resolve("/metrics"));
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("# TYPE");

            // The registry port speaks HTTPS with the mounted certificate (and asks for a token).
            assertThat(server.uri().getScheme()).isEqualTo("https");
            HttpClient trusting = HttpClient.newBuilder().sslContext(serving.trusting()).build();
            assertThat(get(trusting, URI.create("https://127.0.0.1:" + server.port() + "/v2/")).statusCode()).isEqualTo(401);
            assertThat(Files.readString(under("/var/lib/slipway/data/admin-api-key")))
                    .as("where the chart's NOTES tell the operator to read it").isNotBlank();

            // The webhook's path on the admission listener: only with the API server's client certificate.
            URI review = server.admissionUri().resolve(webhook.getClientConfig().getService().getPath());
            assertThatThrownBy(() -> post(HttpClient.newBuilder().sslContext(admission.trusting()).build(), review))
                    .as("no client certificate, no TLS session").isInstanceOf(java.io.IOException.class);
            HttpResponse<String> answered = post(HttpClient.newBuilder().sslContext(admission.trusting(apiServer)).build(), review);
            assertThat(answered.statusCode()).isEqualTo(200);
            JsonNode response = JSON.readTree(answered.body()).get("response");
            assertThat(response.get("uid").asText()).isEqualTo("r-1");
            assertThat(response.get("allowed").asBoolean()).as("no API key: denied, fail closed").isFalse();
            assertThat(response.at("/status/code").asInt()).isEqualTo(401);
        }
    }

    private Path under(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient client, URI uri) throws Exception {
        String pod = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"app\",\"namespace\":\"team\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"127.0.0.1:5000/team-dev/app:1.0\"}]}}";
        String body = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"r-1\","
                + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\","
                + "\"resource\":\"pods\"},\"operation\":\"CREATE\",\"namespace\":\"team\",\"object\":" + pod + "}}";
        return client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Readiness may take a moment after start (the stores are checked); the status, never the time, is asserted. */
    private static int eventually200(HttpClient client, URI uri) throws Exception {
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(60));
        int status;
        do {
            status = get(client, uri).statusCode();
            if (status != 200) {
                Thread.sleep(200);
            }
        } while (status != 200 && Instant.now().isBefore(giveUp));
        return status;
    }
}
