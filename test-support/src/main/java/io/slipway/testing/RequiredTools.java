package io.slipway.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when a tool it needs is missing: skip on a developer machine, but fail when
 * {@code SLIPWAY_REQUIRE_TOOLS=true} (as CI sets), so CI can never pass by silently skipping. The
 * one implementation of that rule; {@link ToolBinaries} finds the tools.
 */
public final class RequiredTools {
    public static final String ENV = "SLIPWAY_REQUIRE_TOOLS";

    private RequiredTools() {
    }

    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv(ENV));
    }

    /** Fails or skips the calling test; never returns normally. */
    public static RuntimeException missing(String what) {
        if (required()) {
            fail(what + ", and " + ENV + "=true requires it");
        }
        Assumptions.abort(what + "; skipped (set " + ENV + "=true to make this a failure)");
        return new IllegalStateException("not reached");
    }

    /** Skips or fails (see above) unless {@code present}. */
    public static void require(boolean present, String what) {
        if (!present) {
            throw missing(what);
        }
    }
}
