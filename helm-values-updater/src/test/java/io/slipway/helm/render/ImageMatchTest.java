package io.slipway.helm.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Reference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageMatchTest {
    private static final String D1 = "@sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private static final String D2 = "@sha256:2222222222222222222222222222222222222222222222222222222222222222";

    @ParameterizedTest
    @CsvSource({
            "r.io/a:1" + D1 + ", r.io/a:1" + D1 + ", true",
            "r.io/a:1" + D1 + ", r.io/a" + D1 + ",   true",
            "r.io/a" + D1 + ",   r.io/a" + D1 + ",   true",
            "r.io/a:1" + D1 + ", r.io/a:1" + D2 + ", false",
            "r.io/a:1" + D1 + ", r.io/a:1,           false",
            "r.io/a:1" + D1 + ", r.io/a:2" + D1 + ", false",
            "r.io/a:1,           r.io/a:1,           true",
            "r.io/a:1,           r.io/a:2,           false",
            "r.io/a:1,           r.io/a:1" + D1 + ", false",
            "nginx:1,            docker.io/library/nginx:1, true",
            "r.io/a:1,           r.io/b:1,           false",
    })
    void decides(String written, String rendered, boolean same) {
        assertThat(ImageMatch.matches(Reference.parse(written), Reference.parse(rendered))).isEqualTo(same);
    }
}
