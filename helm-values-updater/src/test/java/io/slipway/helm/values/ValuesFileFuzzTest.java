package io.slipway.helm.values;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzz test of the comment-preserving values editor: parsing a values file and setting one value
 * either succeeds or is refused with a {@link ValuesException}. Any other exception is a bug, and so
 * is an edit that does not read back as written or that changes another value of the file.
 */
class ValuesFileFuzzTest {

    /**
     * The input is {@code <path>\0<value>\0<values file>}; with fewer NUL bytes the path is
     * {@code image.tag} and the value {@code v2}.
     */
    @FuzzTest
    void setValue(byte[] input) {
        int first = indexOf(input, 0);
        int second = first < 0 ? -1 : indexOf(input, first + 1);
        String path = second < 0 ? "image.tag" : text(input, 0, first);
        String value = second < 0 ? "v2" : text(input, first + 1, second);
        String yaml = text(input, second < 0 ? 0 : second + 1, input.length);

        ValuesFile file;
        ValuesPath at;
        ValuesFile edited;
        try {
            file = ValuesFile.parse(yaml);
            file.leaves();
            at = ValuesPath.parse(path);
            file.get(at);
            file.has(at);
            edited = file.set(at, value);
        } catch (ValuesException refused) {
            assertThat(refused.reason()).isNotNull();
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        // The edit reads back as written, as the text of a file parsed anew.
        ValuesFile reread = ValuesFile.parse(edited.text());
        assertThat(reread.get(at)).contains(value);
        // and every other value the file gave is as it was. (A value under a duplicated key gives
        // none: reading it is refused before and after, as the editor refuses such a path.)
        for (ValuesFile.Leaf leaf : file.leaves()) {
            if (leaf.path().equals(at)) {
                continue;
            }
            java.util.Optional<String> before;
            try {
                before = file.get(leaf.path());
            } catch (ValuesException refused) {
                continue;
            }
            assertThat(reread.get(leaf.path())).as(leaf.path().toString()).isEqualTo(before);
        }
        // Setting the same value again changes nothing.
        assertThat(reread.set(at, value).text()).isEqualTo(edited.text());
    }

    private static String text(byte[] b, int from, int to) {
        return new String(Arrays.copyOfRange(b, from, to), StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
