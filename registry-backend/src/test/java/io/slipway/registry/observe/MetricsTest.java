package io.slipway.registry.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import io.slipway.testing.ToolBinaries;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} read by the real Prometheus (Debian's {@code prometheus}, run on 127.0.0.1 with a
 * generated configuration, no service): the pushes the test made come back through a PromQL query
 * on its HTTP API, and {@code promtool check metrics} finds nothing to say about the exposition.
 */
class MetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUSHES =
            "sum(slipway_http_request_duration_seconds_count{route=\"/v2/{name}/manifests/{reference}\",method=\"PUT\",status=\"201\"})";

    @TempDir
    Path dir;

    @Test
    void prometheusScrapesTheRegistryAndCountsThePushes() throws Exception {
        Path prometheus = ToolBinaries.require("prometheus");
        Path promtool = ToolBinaries.require("promtool");
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withListen("127.0.0.1:0")
                .withDataDir(dir.resolve("data")).withAuth("none"))) {
            RegistryHttp http = new RegistryHttp(server.uri());
            int pushes = 3;
            for (int i = 0; i < pushes; i++) {
                push(http, "team-dev/app" + i, "v" + i);
            }
            HttpResponse<byte[]> pull = http.get("/v2/team-dev/app0/manifests/v0", "Accept", MediaTypes.OCI_MANIFEST);
            assertThat(pull.statusCode()).isEqualTo(200);

            String exposition = RegistryHttp.text(http.get("/metrics")).substring(4);
            assertThat(exposition)
                    .contains("slipway_http_request_duration_seconds_bucket{method=\"PUT\",route=\"/v2/{name}/manifests/{reference}\",status=\"201\"")
                    .contains("slipway_http_sent_bytes_total{route=\"/v2/{name}/manifests/{reference}\"}")
                    .contains("slipway_blobstore_operation_duration_seconds_count{operation=\"put\",outcome=\"ok\"}")
                    .contains("slipway_database_operation_duration_seconds_count{operation=\"write\"}")
                    .contains("slipway_database_connections{state=\"max\"} 9.0")
                    .contains("slipway_scan_queue_jobs ")
                    .contains("slipway_uploads_open ")
                    .contains("jvm_memory_used_bytes")
                    // bounded labels: no repository name, tag or digest anywhere
                    .doesNotContain("team-dev").doesNotContain("app0").doesNotContain("sha256:");

            // promtool reads the exposition from standard input and says nothing when it is clean.
            Path scraped = Files.writeString(dir.resolve("scrape.txt"), exposition);
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(scraped.toFile()).redirectErrorStream(true).start();
            String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as(said).isZero();
            assertThat(said).isEmpty();

            int port = freePort();
            Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: slipway
                        metrics_path: /metrics
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                    """.formatted(server.port()));
            Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                RegistryHttp api = new RegistryHttp(java.net.URI.create("http://127.0.0.1:" + port));
                // Prometheus scrapes once a second: ask until the series is there (a deadline, not a timing).
                Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
                double value = -1;
                while (Instant.now().isBefore(deadline) && value != pushes) {
                    value = query(api, PUSHES);
                    if (value != pushes) {
                        Thread.sleep(500);
                    }
                }
                assertThat(value).as(Files.readString(dir.resolve("prometheus.log"))).isEqualTo(pushes);
                // Prometheus saw the target healthy.
                JsonNode targets = JSON.readTree(api.get("/api/v1/targets").body());
                assertThat(targets.path("data").path("activeTargets").get(0).path("health").asText()).isEqualTo("up");
            } finally {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    @Test
    void metricsCanBeServedOnAPortOfTheirOwnOrNotAtAll() throws Exception {
        int metricsPort = freePort();
        RegistryConfig base = RegistryConfig.defaults().withListen("127.0.0.1:0").withAuth("none");
        try (RegistryServer server = RegistryServer.start(base.withDataDir(dir.resolve("a"))
                .withObserve(base.observe().withMetrics(true, "127.0.0.1:" + metricsPort)))) {
            RegistryHttp registry = new RegistryHttp(server.uri());
            RegistryHttp metrics = new RegistryHttp(java.net.URI.create("http://127.0.0.1:" + metricsPort));
            assertThat(server.observability().metricsPort()).isEqualTo(metricsPort);
            assertThat(registry.get("/metrics").statusCode()).isEqualTo(404);
            assertThat(RegistryHttp.text(metrics.get("/metrics"))).contains("slipway_http_request_duration_seconds");
            // The metrics listener serves nothing of the registry.
            assertThat(metrics.get("/v2/").statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
        }
        try (RegistryServer server = RegistryServer.start(base.withDataDir(dir.resolve("b"))
                .withObserve(base.observe().withMetrics(false, null)))) {
            RegistryHttp registry = new RegistryHttp(server.uri());
            assertThat(registry.get("/metrics").statusCode()).isEqualTo(404);
            assertThat(registry.get("/healthz").statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/").headers().firstValue("X-Request-Id")).isPresent();
        }
    }

    static void push(RegistryHttp http, String repo, String tag) {
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = (repo + tag).getBytes(StandardCharsets.UTF_8);
        Digest c = http.pushBlob(repo, config);
        Digest l = http.pushBlob(repo, layer);
        http.pushManifest(repo, tag, MediaTypes.OCI_MANIFEST, Images.imageManifest(c, config.length, l, layer.length));
    }

    static double query(RegistryHttp api, String promql) throws Exception {
        HttpResponse<byte[]> r;
        try {
            r = api.get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        } catch (java.io.UncheckedIOException e) {
            return -1; // Prometheus is still starting
        }
        if (r.statusCode() != 200) {
            return -1;
        }
        JsonNode result = JSON.readTree(r.body()).path("data").path("result");
        return result.isEmpty() ? -1 : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }
}
