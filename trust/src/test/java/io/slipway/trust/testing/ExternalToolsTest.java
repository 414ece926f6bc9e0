package io.slipway.trust.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class ExternalToolsTest {

    @Test
    void aMissingToolFailsUnderCiAndSkipsElsewhere() {
        Class<? extends Throwable> expected = "true".equals(System.getenv("SLIPWAY_REQUIRE_TOOLS"))
                ? AssertionError.class : TestAbortedException.class;
        assertThatThrownBy(() -> ExternalTools.require("sh", "no-such-tool-for-slipway"))
                .isInstanceOf(expected)
                .hasMessageContaining("no-such-tool-for-slipway")
                .hasMessageNotContaining("[sh");
    }
}
