package io.slipway.registry.clients;

import io.slipway.testing.RegistryHttp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm-java (the Helm 3 library, natively) against a real registry: a chart created and packaged
 * here is pushed as an OCI artifact, then read back by Helm itself and over plain HTTP.
 */
class HelmChartTest {
    private static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    private static final String HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    @TempDir
    Path tmp;

    @Test
    void pushesPackagedChartAndReadsItBack() throws Exception {
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withAuth("none")
                .withListen("127.0.0.1:0").withDataDir(tmp.resolve("data")))) {
            RegistryHttp http = new RegistryHttp(server.uri());
            String registry = "127.0.0.1:" + server.port();

            Path charts = Files.createDirectories(tmp.resolve("charts"));
            Helm chart = Helm.create().withName("demo").withDir(charts).call();
            Path packages = Files.createDirectories(tmp.resolve("packages"));
            chart.packageIt().withDestination(packages).call();
            Path tgz;
            try (Stream<Path> list = Files.list(packages)) {
                tgz = list.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst().orElseThrow();
            }
            assertThat(tgz.getFileName().toString()).isEqualTo("demo-0.1.0.tgz");
            byte[] packaged = Files.readAllBytes(tgz);

            String pushed = Helm.push().withChart(tgz).withRemote(URI.create("oci://" + registry + "/charts"))
                    .plainHttp().call();

            // --- over plain HTTP: an OCI manifest with Helm's config type and the .tgz as its layer
            HttpResponse<byte[]> response = http.manifest("charts/demo", "0.1.0");
            assertThat(response.statusCode()).as(RegistryHttp.text(response)).isEqualTo(200);
            String digest = response.headers().firstValue("Docker-Content-Digest").orElseThrow();
            assertThat(RegistryHttp.sha256(response.body())).isEqualTo(digest);
            assertThat(pushed).as("helm push output names the digest it pushed").contains(digest);
            JsonNode manifest = RegistryHttp.json(response.body());
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValue("application/vnd.oci.image.manifest.v1+json");
            assertThat(manifest.at("/config/mediaType").asText()).isEqualTo(HELM_CONFIG);
            assertThat(manifest.get("layers")).hasSize(1);
            JsonNode layer = manifest.get("layers").get(0);
            assertThat(layer.get("mediaType").asText()).isEqualTo(HELM_CHART_LAYER);
            assertThat(layer.get("digest").asText()).isEqualTo(RegistryHttp.sha256(packaged));
            assertThat(layer.get("size").asLong()).isEqualTo(packaged.length);

            HttpResponse<byte[]> chartBlob = http.blob("charts/demo", layer.get("digest").asText());
            assertThat(chartBlob.statusCode()).isEqualTo(200);
            assertThat(chartBlob.body()).as("the chart layer is the packaged .tgz, byte for byte").isEqualTo(packaged);

            HttpResponse<byte[]> configBlob = http.blob("charts/demo", manifest.at("/config/digest").asText());
            assertThat(configBlob.statusCode()).isEqualTo(200);
            assertThat(RegistryHttp.sha256(configBlob.body())).isEqualTo(manifest.at("/config/digest").asText());
            JsonNode config = RegistryHttp.json(configBlob.body());
            assertThat(config.get("name").asText()).isEqualTo("demo");
            assertThat(config.get("version").asText()).isEqualTo("0.1.0");

            HttpResponse<byte[]> tags = http.get("/v2/charts/demo/tags/list");
            assertThat(RegistryHttp.json(tags.body()).get("tags")).extracting(JsonNode::asText).containsExactly("0.1.0");

            // --- Helm reads the chart from the registry
            String reference = "oci://" + registry + "/charts/demo";
            String shown = Helm.show(reference).chart().withVersion("0.1.0").plainHttp().call();
            assertThat(shown).contains("name: demo").contains("version: 0.1.0");
            String rendered = Helm.template(reference).withName("smoke").withVersion("0.1.0").plainHttp()
                    .set("replicaCount", 3).call();
            assertThat(rendered).contains("kind: Deployment").contains("replicas: 3").contains("smoke-demo");
        }
    }
}
