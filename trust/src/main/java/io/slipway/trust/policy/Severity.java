package io.slipway.trust.policy;

import java.util.Locale;

/** Vulnerability severities, most severe first, as thresholds of a vulnerability requirement. */
public enum Severity {
    CRITICAL, HIGH, MEDIUM, LOW;

    /** True when a finding of this severity reaches {@code threshold} (is at least as severe). */
    public boolean reaches(Severity threshold) {
        return ordinal() <= threshold.ordinal();
    }

    public static Severity parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidPolicyException("unknown severity \"" + text + "\" (expected critical, high, medium or low)");
        }
    }

    public String lowerCase() {
        return name().toLowerCase(Locale.ROOT);
    }
}
