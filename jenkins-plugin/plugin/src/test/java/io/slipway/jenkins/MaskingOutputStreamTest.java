package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskingOutputStreamTest {

    private static String through(List<String> secrets, String... writes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MaskingOutputStream mask = new MaskingOutputStream(out, secrets)) {
            for (String w : writes) {
                mask.write(w.getBytes(StandardCharsets.UTF_8));
                mask.flush();
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void masksEverySecretOnALine() throws IOException {
        assertThat(through(List.of("slw_abc", "c2x3X2FiYw=="), "key slw_abc and slw_abc, auth c2x3X2FiYw==\n"))
                .isEqualTo("key **** and ****, auth ****\n");
    }

    @Test
    void masksASecretWrittenInPiecesAcrossFlushes() throws IOException {
        assertThat(through(List.of("hunter2"), "pass: hun", "ter", "2 ok\n", "no secret\n"))
                .isEqualTo("pass: **** ok\nno secret\n");
    }

    @Test
    void masksTheLongerOfTwoOverlappingSecretsWhole() throws IOException {
        assertThat(through(List.of("abc", "abcdef"), "abcdef abc\n")).isEqualTo("**** ****\n");
    }

    @Test
    void aVeryLongLineIsLetOutInPartsWithoutSplittingASecret() throws IOException {
        String secret = "s3cr3t-value";
        String filler = "x".repeat(MaskingOutputStream.MAX_LINE - 5);
        String result = through(List.of(secret), filler + secret + filler + "\n");
        assertThat(result).doesNotContain(secret).contains("****").hasSize(2 * filler.length() + 4 + 1);
    }

    @Test
    void anUnfinishedLastLineIsWrittenOnClose() throws IOException {
        assertThat(through(List.of("k"), "done k")).isEqualTo("done ****");
        assertThat(through(List.of(), "plain\nlast")).isEqualTo("plain\nlast");
    }
}
