package io.slipway.helm.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each corpus file is edited and the unified diff compared with its golden diff, so an edit that
 * touches one byte more than the values shows up. Run with {@code -Dcorpus.update=true} to write
 * missing golden diffs (then read every one before committing it).
 */
class CorpusTest {

    static List<CorpusCase> cases() throws IOException {
        return CorpusCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void editMatchesGoldenDiff(CorpusCase c) throws IOException {
        byte[] before = Files.readAllBytes(c.yaml());
        if (c.expectedError() != null) {
            assertThatThrownBy(() -> ImageValues.write(ValuesFile.read(c.yaml()), c.updates()))
                    .isInstanceOf(ValuesException.class)
                    .satisfies(e -> assertThat(((ValuesException) e).reason().name()).isEqualTo(c.expectedError()))
                    .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
            assertThat(Files.readAllBytes(c.yaml())).isEqualTo(before);
            return;
        }
        ImageValues.Edit edit = ImageValues.write(ValuesFile.read(c.yaml()), c.updates());
        String diff = CorpusCase.unifiedDiff(before, edit.file().bytes());
        if (!Files.exists(c.goldenDiff())) {
            if (Boolean.getBoolean("corpus.update")) {
                Files.write(c.goldenDiff(), diff.getBytes(StandardCharsets.UTF_8));
            } else {
                fail("no golden diff for " + c + "; computed:\n" + diff);
            }
        }
        assertThat(diff).isEqualTo(Files.readString(c.goldenDiff(), StandardCharsets.UTF_8));
        assertThat(edit.changed()).isTrue();

        // Read back, each image is exactly the reference written.
        ValuesFile reread = ValuesFile.parse(edit.file().text());
        for (ImageUpdate u : c.updates()) {
            assertThat(ImageValues.read(reread, u.shape())).as(u.alias()).isEqualTo(u.reference());
        }
        // Writing the same images again changes nothing.
        assertThat(ImageValues.write(reread, c.updates()).changed()).isFalse();
    }
}
