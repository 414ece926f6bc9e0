package io.slipway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.slipway.registry.testing.IamFixture;
import io.slipway.testing.RegistryHttp;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart as a platform team gets it: packaged by Helm, pushed to a real Slipway registry as an
 * OCI chart with a CI service ID's API key, and installed from there — pulled back by another
 * identity of the account, rendering exactly what the chart directory renders; another account
 * cannot read it.
 */
class ChartInSlipwayTest {
    private static final String HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    @TempDir
    Path tmp;

    @Test
    void packagedChartIsPushedToSlipwayAndPulledBack() throws Exception {
        Path packages = Files.createDirectories(tmp.resolve("packages"));
        new Helm(Chart.DIR).packageIt().withDestination(packages).call();
        Path tgz = packages.resolve("slipway-0.1.0.tgz");
        assertThat(tgz).exists();
        byte[] packaged = Files.readAllBytes(tgz);
        List<String> entries = entries(packaged);
        assertThat(entries).contains("slipway/Chart.yaml", "slipway/values.yaml", "slipway/templates/deployment.yaml",
                "slipway/templates/webhooks.yaml", "slipway/templates/_helpers.tpl");
        assertThat(entries).as("the tests' values files stay out of the package").noneMatch(e -> e.startsWith("slipway/ci/"));

        try (IamFixture iam = new IamFixture(tmp.resolve("data"))) {
            String registry = "127.0.0.1:" + iam.server.port();
            String reference = "oci://" + registry + "/acme-dev/slipway";

            login(registry, iam.keys.get("ci"));
            String pushed;
            try {
                pushed = Helm.push().withChart(tgz).withRemote(URI.create("oci://" + registry + "/acme-dev")).plainHttp().call();
            } finally {
                Helm.registry().logout().withHost(registry).call();
            }

            // What the registry holds: an OCI manifest whose one layer is the packaged chart, byte for byte.
            String token = iam.token(iam.keys.get("reader"), "repository:acme-dev/slipway:pull");
            HttpResponse<byte[]> manifest = iam.http.get("/v2/acme-dev/slipway/manifests/0.1.0", "Authorization",
                    "Bearer " + token, "Accept", "application/vnd.oci.image.manifest.v1+json");
            assertThat(manifest.statusCode()).as(RegistryHttp.text(manifest)).isEqualTo(200);
            String digest = manifest.headers().firstValue("Docker-Content-Digest").orElseThrow();
            assertThat(pushed).contains(digest);
            JsonNode layer = RegistryHttp.json(manifest.body()).get("layers").get(0);
            assertThat(layer.get("mediaType").asText()).isEqualTo(HELM_CHART_LAYER);
            HttpResponse<byte[]> blob = iam.http.get("/v2/acme-dev/slipway/blobs/" + layer.get("digest").asText(),
                    "Authorization", "Bearer " + token);
            assertThat(blob.statusCode()).isEqualTo(200);
            assertThat(blob.body()).isEqualTo(packaged);

            // Installed from the registry by a reader of the account: the same objects as from the directory.
            login(registry, iam.keys.get("reader"));
            try {
                assertThat(Helm.show(reference).chart().withVersion("0.1.0").plainHttp().call())
                        .contains("name: slipway").contains("version: 0.1.0");
                for (Path values : Chart.ciValues()) {
                    String fromRegistry = Helm.template(reference).withVersion("0.1.0").plainHttp().withName(Chart.RELEASE)
                            .withNamespace(Chart.NAMESPACE).withValuesFile(values).call();
                    assertThat(Chart.objects(fromRegistry)).as(values.getFileName().toString())
                            .isEqualTo(Chart.objects(Chart.render(values, Map.of())));
                }
            } finally {
                Helm.registry().logout().withHost(registry).call();
            }

            // Another account's identity finds nothing there.
            login(registry, iam.keys.get("globex"));
            try {
                Throwable refused = catchThrowable(() -> Helm.show(reference).chart().withVersion("0.1.0").plainHttp().call());
                Throwable missing = catchThrowable(() -> Helm.show("oci://" + registry + "/acme-dev/absent").chart()
                        .withVersion("0.1.0").plainHttp().call());
                assertThat(refused).isNotNull();
                assertThat(refused.getMessage().replace("acme-dev/slipway", "acme-dev/absent"))
                        .as("answered exactly as a chart that does not exist").isEqualTo(missing.getMessage());
            } finally {
                Helm.registry().logout().withHost(registry).call();
            }
        }
    }

    private static void login(String registry, String apiKey) {
        Helm.registry().login().withHost(registry).withUsername("iamapikey").withPassword(apiKey).plainHttp().call();
    }

    private static List<String> entries(byte[] tgz) throws Exception {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tgz)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
