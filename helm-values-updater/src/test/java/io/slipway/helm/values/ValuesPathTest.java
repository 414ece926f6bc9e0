package io.slipway.helm.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesPathTest {
    @Test
    void parsesKeysIndexesAndQuotedKeys() {
        ValuesPath p = ValuesPath.parse("spec.containers[1].env[\"app.io/x\"]");
        assertThat(p.segments()).containsExactly(new ValuesPath.Key("spec"), new ValuesPath.Key("containers"),
                new ValuesPath.Index(1), new ValuesPath.Key("env"), new ValuesPath.Key("app.io/x"));
        assertThat(p.toString()).isEqualTo("spec.containers[1].env[\"app.io/x\"]");
        assertThat(ValuesPath.parse("a[0][2]").segments()).hasSize(3);
        assertThat(ValuesPath.parse("image").child("tag").toString()).isEqualTo("image.tag");
        assertThat(List.of(ValuesPath.parse("x").segments().get(0))).containsExactly(new ValuesPath.Key("x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".a", "a.", "a..b", "a[", "a[x]", "a[-1]", "a.[0]"})
    void refusesMalformedPaths(String text) {
        assertThatThrownBy(() -> ValuesPath.parse(text)).isInstanceOf(ValuesException.class)
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(ValuesException.Reason.INVALID_PATH);
    }
}
