package io.slipway.helm.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import io.slipway.helm.values.ImageFinder;
import io.slipway.helm.values.ImageKeys;
import io.slipway.helm.values.ImageShape;
import io.slipway.helm.values.ImageUpdate;
import io.slipway.helm.values.ImageValues;
import io.slipway.helm.values.ValuesFile;
import io.slipway.oci.Reference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The render check on a chart of the shapes real charts have: {@code lookup} in the chart, in its
 * library chart and in its sub-chart; the library packed into {@code charts/} by real
 * {@code helm package}, the sub-chart vendored as a folder; image helpers with a registry key, a
 * {@code sha256:} digest key and a hex {@code sha} key. Nothing here has a cluster: each lookup
 * must come back empty, as under {@code helm template}.
 */
class OfflineRenderTest {
    static final String DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
    static final String DIGEST2 = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path tmp;
    Path chart;

    @BeforeEach
    void vendorTheLibrary() throws IOException {
        chart = tmp.resolve("shop");
        Path source = RenderCheckTest.CHARTS.resolve("shop");
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path p : paths.toList()) {
                Path target = chart.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        new Helm(RenderCheckTest.CHARTS.resolve("lib")).packageIt().withDestination(chart.resolve("charts")).call();
        assertThat(chart.resolve("charts/lib-0.1.0.tgz")).exists();
    }

    private Path env(String text) throws IOException {
        Path file = tmp.resolve("dev.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void rendersWithLookupsEmptyAndProvesBothImages() throws IOException {
        Reference shop = Reference.parse("127.0.0.1:5000/team/shop:1.1.0@" + DIGEST);
        Reference worker = Reference.parse("127.0.0.1:5000/team/worker:1.1.0@" + DIGEST2);
        Path values = env("# dev\nimage:\n  tag: 1.0.0\n");
        ValuesFile file = ValuesFile.read(values);
        ImageFinder finder = new ImageFinder(file, ValuesFile.read(chart.resolve("values.yaml")));
        // Two keys hold acme/shop (image and legacy.image): found by name it is refused, so it is named.
        assertThatThrownBy(() -> finder.locate(null, shop, null))
                .hasMessageContaining("2 images in the values match team/shop: image (docker.io/acme/shop), legacy.image (acme/shop:0.9)")
                .hasMessageContaining("--key image");
        List<ImageUpdate> updates = List.of(finder.locate(null, shop, ImageKeys.block("image")), finder.locate(null, worker, null));
        ImageValues.write(file, updates).file().write(values);

        // Found in the chart's defaults, written into the environment's file under the same keys.
        assertThat(Files.readString(values)).isEqualTo("""
                # dev
                image:
                  tag: 1.1.0
                  registry: 127.0.0.1:5000
                  repository: team/shop
                  digest: %s
                worker:
                  image:
                    registry: 127.0.0.1:5000
                    repository: team/worker
                    tag: 1.1.0
                    sha: %s
                """.formatted(DIGEST, DIGEST2.substring("sha256:".length())));

        List<RenderedImage> images = RenderCheck.chart(chart).valuesFiles(List.of(values)).expect(List.of(shop, worker)).run();
        assertThat(images).extracting(RenderedImage::image).containsExactlyInAnyOrder(
                "127.0.0.1:5000/team/shop@" + DIGEST, "127.0.0.1:5000/team/worker:1.1.0@" + DIGEST2);
        assertThat(images).extracting(RenderedImage::source)
                .contains("shop/templates/deployment.yaml", "shop/charts/worker/templates/deployment.yaml");
        // The chart itself is not changed by the check.
        assertThat(Files.readString(chart.resolve("templates/deployment.yaml"))).contains("lookup \"apps/v1\"");
    }

    @Test
    void refusesAWriteToAKeyNoTemplateReads() throws IOException {
        Reference shop = Reference.parse("127.0.0.1:5000/team/shop:1.1.0@" + DIGEST);
        Path values = env("legacy:\n  image: acme/shop:0.9\n");
        ImageValues.write(ValuesFile.read(values), List.of(new ImageUpdate("shop", shop, ImageShape.single("legacy.image"))))
                .file().write(values);
        assertThatThrownBy(() -> RenderCheck.chart(chart).valuesFiles(List.of(values)).expect(shop).run())
                .isInstanceOf(RenderCheckException.class)
                .hasMessageContaining("renders no container of 127.0.0.1:5000/team/shop")
                .hasMessageContaining("docker.io/acme/shop:1.0.0");
    }

    @Test
    void refusesARepositoryWrittenWithItsRegistryBesideARegistryKey() throws IOException {
        // What slipway deploy did before issue 25: the whole name into repository, registry left as it was.
        Reference shop = Reference.parse("127.0.0.1:5000/team/shop:1.1.0");
        Path values = env("image:\n  repository: 127.0.0.1:5000/team/shop\n  tag: 1.1.0\n");
        assertThatThrownBy(() -> RenderCheck.chart(chart).valuesFiles(List.of(values)).expect(shop).run())
                .isInstanceOf(RenderCheckException.class)
                .hasMessageContaining("docker.io/127.0.0.1:5000/team/shop:1.1.0");
    }

    @Test
    void saysToVendorAMissingSubChart() throws IOException {
        Files.delete(chart.resolve("charts/lib-0.1.0.tgz"));
        Reference shop = Reference.parse("127.0.0.1:5000/team/shop:1.1.0");
        Path values = env("image:\n  tag: 1.1.0\n");
        assertThatThrownBy(() -> RenderCheck.chart(chart).valuesFiles(List.of(values)).expect(shop).skipLint().run())
                .isInstanceOf(RenderCheckException.class)
                .hasMessageContaining("lib")
                .hasMessageContaining("helm dependency build");
    }

    @Test
    void namedKeysReachTheSubChart() throws IOException {
        Reference worker = Reference.parse("127.0.0.1:5000/team/worker:2.0.0@" + DIGEST2);
        Path values = env("image:\n  tag: 1.0.0\n");
        ValuesFile file = ValuesFile.read(values);
        ImageUpdate u = new ImageFinder(file, ValuesFile.read(chart.resolve("values.yaml")))
                .locate("worker", worker, ImageKeys.block("worker.image"));
        ImageValues.write(file, List.of(u)).file().write(values);
        assertThat(RenderCheck.chart(chart).valuesFiles(List.of(values)).expect(worker).run())
                .extracting(RenderedImage::image).contains("127.0.0.1:5000/team/worker:2.0.0@" + DIGEST2);
    }

    @Test
    void rewritesOnlyLookupCalls() {
        assertThat(OfflineChart.withoutLookup("{{- $s := lookup \"v1\" \"Secret\" .ns \"x\" -}} lookup {{ (lookup \"v1\" \"Node\" \"\" \"\").items }}"))
                .isEqualTo("{{- $s := omit (dict) \"v1\" \"Secret\" .ns \"x\" -}} lookup {{ (omit (dict) \"v1\" \"Node\" \"\" \"\").items }}");
        String untouched = "{{ .Values.lookup }} {{ $lookup }} {{ \"lookup x\" }} {{/* lookup */}} {{ lookups }} {{ include \"a.lookup\" . }}";
        assertThat(OfflineChart.withoutLookup(untouched)).isEqualTo(untouched);
    }
}
