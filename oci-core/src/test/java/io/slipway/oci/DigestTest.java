package io.slipway.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    @Test
    void parsesAndPrintsSha256AndSha512() {
        Digest d = Digest.sha256("hello");
        assertThat(d).hasToString("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assertThat(Digest.parse(d.toString())).isEqualTo(d);
        Digest s512 = Digest.of(Digest.Algorithm.SHA512, "hello".getBytes());
        assertThat(s512.hex()).hasSize(128).startsWith("9b71d224bd62f378");
        assertThat(Digest.parse(s512.toString())).isEqualTo(s512);
        assertThat(d.matches("hello".getBytes())).isTrue();
        assertThat(d.matches("hellO".getBytes())).isFalse();
        assertThat(d.tagForm()).isEqualTo("sha256-" + d.hex());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256", "sha256:", ":abc", "sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g",
            "sha256:../../../../etc/passwd", "sha512:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> Digest.parse(text)).isInstanceOf(InvalidDigestException.class);
    }
}
