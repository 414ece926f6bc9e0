package io.slipway.helm.values;

import io.slipway.testing.RequiredTools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deploys on the values files of five public charts ({@code ../shared/values-corpus/}, beside the
 * repository; never copied in): the keys are found (or named) as {@code slipway deploy} finds them
 * and the edit's diff must equal the one written by hand from the chart's templates, byte for byte
 * (see {@code src/test/resources/real-charts/README.md}). Without the corpus the test is skipped,
 * and fails under SLIPWAY_REQUIRE_TOOLS=true as CI runs it. {@code -Dslipway.valuesCorpus=DIR}
 * points at it from a checkout that has no {@code ../shared} (a git worktree).
 */
class RealChartsTest {
    static final Path CASES = Paths.get("src/test/resources/real-charts");

    static Path corpus() {
        String override = System.getProperty("slipway.valuesCorpus");
        // The module runs in <repository>/helm-values-updater; the corpus is <repository>/../shared/values-corpus.
        return override != null ? Paths.get(override) : Paths.get("../../shared/values-corpus").toAbsolutePath().normalize();
    }

    static List<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".case"))
                    .map(n -> n.substring(0, n.length() - ".case".length())).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void deployDiffIsTheHandWrittenOne(String name) throws IOException {
        Path corpus = corpus();
        String why = "the values corpus is not at " + corpus + " (CI has ../shared beside the clone)";
        RequiredTools.require(Files.isDirectory(corpus), why);

        List<String> lines = Files.readAllLines(CASES.resolve(name + ".case"));
        Path values = corpus.resolve(lines.get(0).strip());
        List<String> images = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (String option : lines.subList(1, lines.size())) {
            String[] parts = option.strip().split(" ", 2);
            (parts[0].equals("--image") ? images : keys).add(parts[1]);
        }
        byte[] before = Files.readAllBytes(values);
        ValuesFile file = ValuesFile.read(values);
        ImageFinder finder = new ImageFinder(file, null);

        Path error = CASES.resolve(name + ".error");
        if (Files.exists(error)) {
            assertThatThrownBy(() -> ImageValues.write(file, ImageRequest.parse(images, keys).stream()
                    .map(r -> finder.locate(r.alias(), r.reference(), r.keys())).toList()))
                    .isInstanceOf(ValuesException.class)
                    .satisfies(e -> {
                        for (String expected : Files.readAllLines(error)) {
                            assertThat(e.getMessage()).contains(expected);
                        }
                    });
            return;
        }
        List<ImageUpdate> updates = ImageRequest.parse(images, keys).stream()
                .map(r -> finder.locate(r.alias(), r.reference(), r.keys())).toList();
        ImageValues.Edit edit = ImageValues.write(file, updates);
        String diff = CorpusCase.unifiedDiff(before, edit.file().bytes());
        assertThat(diff).isEqualTo(Files.readString(CASES.resolve(name + ".diff"), StandardCharsets.UTF_8));

        // What the file now holds is each image exactly, and a second deploy changes nothing.
        ValuesFile after = ValuesFile.parse(edit.file().text());
        for (ImageUpdate u : updates) {
            assertThat(ImageValues.read(after, u.shape())).as(u.alias()).isEqualTo(u.reference());
        }
        ImageFinder again = new ImageFinder(after, null);
        assertThat(ImageValues.write(after, ImageRequest.parse(images, keys).stream()
                .map(r -> again.locate(r.alias(), r.reference(), r.keys())).toList()).changed()).isFalse();
        assertThat(Files.readAllBytes(values)).isEqualTo(before);
    }
}
