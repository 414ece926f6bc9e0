package io.slipway.helm.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.helm.values.ImageShape;
import io.slipway.helm.values.ImageUpdate;
import io.slipway.helm.values.ImageValues;
import io.slipway.helm.values.ValuesFile;
import io.slipway.oci.Reference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Render checks through the real Helm (helm-java's native library). */
class RenderCheckTest {
    static final Path CHARTS = Paths.get("src/test/resources/charts");
    static final String DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    @TempDir
    Path tmp;

    private Path envValues(String text) throws IOException {
        Path file = tmp.resolve("values-dev.yaml");
        Files.writeString(file, text);
        return file;
    }

    private Path written(Reference ref, ImageShape shape) throws IOException {
        Path file = envValues("# dev\nimage:\n  repository: reg.example.com/team/app\n  tag: 0.1.0\n  digest: \"\"\n");
        ImageValues.write(ValuesFile.read(file), List.of(new ImageUpdate("app", ref, shape))).file().write(file);
        return file;
    }

    @Test
    void passesWhenEveryContainerOfTheRepositoryRunsTheNewDigest() throws IOException {
        Reference ref = Reference.parse("reg.example.com/team/app:1.2.0@" + DIGEST);
        Path values = written(ref, ImageShape.split("image"));
        List<RenderedImage> images = RenderCheck.chart(CHARTS.resolve("app")).valuesFiles(List.of(values)).expect(ref).run();
        assertThat(images).extracting(RenderedImage::image).containsExactly(
                "reg.example.com/team/app@" + DIGEST, "reg.example.com/team/app@" + DIGEST, "reg.example.com/team/exporter:0.9");
        assertThat(images.get(0).source()).isEqualTo("app/templates/deployment.yaml");
        assertThat(images.get(0).lineText()).contains("image: \"reg.example.com/team/app@" + DIGEST + "\"");
    }

    @Test
    void passesForATagPinnedWithItsDigest() throws IOException {
        Reference ref = Reference.parse("reg.example.com/team/app:1.2.0@" + DIGEST);
        Path values = written(ref, ImageShape.split("image").withDigestField(ImageShape.DigestField.NEVER));
        List<RenderedImage> images = RenderCheck.chart(CHARTS.resolve("app")).valuesFiles(List.of(values)).expect(ref).run();
        assertThat(images.get(1).image()).isEqualTo(ref.toString());
    }

    @Test
    void failsWithTheRenderedLineWhenTheTemplateIgnoresTheValues() throws IOException {
        Reference ref = Reference.parse("reg.example.com/team/app:1.2.0@" + DIGEST);
        Path values = written(ref, ImageShape.split("image"));
        assertThatThrownBy(() -> RenderCheck.chart(CHARTS.resolve("ignores-values")).valuesFiles(List.of(values)).expect(ref).run())
                .isInstanceOf(RenderCheckException.class)
                .hasMessageContaining("renders reg.example.com/team/app:0.1.0 where " + ref + " was written")
                .hasMessageContaining("ignores-values/templates/deployment.yaml")
                .hasMessageContaining("image: \"reg.example.com/team/app:0.1.0\"");
    }

    @Test
    void failsWhenALaterValuesFileOverridesTheEdit() throws IOException {
        Reference ref = Reference.parse("reg.example.com/team/app:1.2.0@" + DIGEST);
        Path values = written(ref, ImageShape.split("image"));
        Path override = tmp.resolve("override.yaml");
        Files.writeString(override, "image:\n  digest: \"\"\n  tag: hotfix\n");
        assertThatThrownBy(() -> RenderCheck.chart(CHARTS.resolve("app")).valuesFiles(List.of(values, override)).expect(ref).run())
                .hasMessageContaining("renders reg.example.com/team/app:hotfix")
                .hasMessageContaining("rendered line");
    }

    @Test
    void failsWhenTheChartRendersNoContainerOfTheRepository() throws IOException {
        Reference ref = Reference.parse("reg.example.com/team/other:1.0");
        Path values = envValues("image:\n  tag: 1.0.0\n");
        assertThatThrownBy(() -> RenderCheck.chart(CHARTS.resolve("app")).valuesFiles(List.of(values)).expect(ref).run())
                .hasMessageContaining("renders no container of reg.example.com/team/other")
                .hasMessageContaining("reg.example.com/team/exporter:0.9");
    }

    @Test
    void checksImagesInCronJobTemplates() throws IOException {
        Reference ref = Reference.parse("reg.example.com/team/worker:2.0.0");
        Path values = envValues("worker:\n  enabled: true\n  image: reg.example.com/team/worker:1.0.0\n");
        ImageValues.write(ValuesFile.read(values), List.of(new ImageUpdate("worker", ref, ImageShape.single("worker.image"))))
                .file().write(values);
        List<RenderedImage> images = RenderCheck.chart(CHARTS.resolve("app")).valuesFiles(List.of(values)).expect(ref).run();
        assertThat(images).extracting(RenderedImage::source).contains("app/templates/worker.yaml");
    }

    @Test
    void failsWhenLintFails() throws IOException {
        Path values = envValues("image: reg.example.com/team/app:1\n");
        assertThatThrownBy(() -> RenderCheck.chart(CHARTS.resolve("broken")).valuesFiles(List.of(values))
                .expect(Reference.parse("reg.example.com/team/app:1")).run())
                .isInstanceOf(RenderCheckException.class)
                .hasMessageContaining("helm lint")
                .hasMessageContaining("version");
    }

    @Test
    void findsTheChartAnEnvironmentBelongsTo() throws IOException {
        Path chart = Files.createDirectories(tmp.resolve("repo/charts/app/envs/dev"));
        Files.writeString(tmp.resolve("repo/charts/app/Chart.yaml"), "apiVersion: v2\nname: app\nversion: 0.1.0\n");
        Path values = chart.resolve("values.yaml");
        assertThat(RenderCheck.findChart(tmp.resolve("repo"), values)).contains(tmp.resolve("repo/charts/app").toAbsolutePath());
        assertThat(RenderCheck.findChart(tmp.resolve("repo"), tmp.resolve("repo/envs/dev/values.yaml"))).isEmpty();
    }
}
