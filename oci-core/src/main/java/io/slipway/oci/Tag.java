package io.slipway.oci;

import java.util.regex.Pattern;

/** Tag grammar of the distribution specification: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public final class Tag {
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    private Tag() {
    }

    public static boolean isValid(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }
}
