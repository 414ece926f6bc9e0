package io.slipway.helm.values;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.common.ScalarStyle;

/**
 * Writes a string as a YAML scalar in a given style. A plain scalar is kept plain only when every
 * reader Helm may use reads it back as the same string: Helm's YAML library follows YAML 1.1, where
 * {@code on}, {@code 1.10}, {@code 0o17}, {@code 1:20} and {@code 2024-01-01} are not strings, and
 * older libyaml ports refuse {@code :} inside flow collections. Such a value is double-quoted
 * rather than silently turned into a number.
 */
final class ScalarWriter {
    private static final Set<String> RESERVED_WORDS = Set.of(
            "true", "false", "yes", "no", "y", "n", "on", "off", "null", "~", "<<", "=");
    private static final Pattern NUMBER_LIKE = Pattern.compile(
            "[-+]?(?:[0-9][0-9_]*(?:\\.[0-9_]*)?|\\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
                    + "|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO]?[0-7_]+|[-+]?0[bB][01_]+"
                    + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)"
                    + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?");
    private static final Pattern DATE_LIKE = Pattern.compile("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*", Pattern.DOTALL);
    private static final String INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

    private ScalarWriter() {
    }

    /** {@code value} as a scalar of {@code style}, or double-quoted where that style cannot hold it. */
    static String write(String value, ScalarStyle style, boolean inFlow) {
        return switch (style) {
            case PLAIN -> isSafePlain(value, inFlow) ? value : doubleQuoted(value);
            case SINGLE_QUOTED -> isPrintableSingleLine(value) ? "'" + value.replace("'", "''") + "'" : doubleQuoted(value);
            default -> doubleQuoted(value);
        };
    }

    /** A key or value for a line we add: plain when safe, else double-quoted. */
    static String writeNew(String value, boolean inFlow) {
        return write(value, ScalarStyle.PLAIN, inFlow);
    }

    static boolean isSafePlain(String value, boolean inFlow) {
        if (value.isEmpty() || !isPrintableSingleLine(value)) {
            return false;
        }
        if (RESERVED_WORDS.contains(value.toLowerCase(Locale.ROOT)) || NUMBER_LIKE.matcher(value).matches()
                || DATE_LIKE.matcher(value).matches()) {
            return false;
        }
        char first = value.charAt(0);
        if (INDICATORS.indexOf(first) >= 0 || Character.isWhitespace(first)
                || Character.isWhitespace(value.charAt(value.length() - 1))) {
            return false;
        }
        if (value.contains(": ") || value.contains(" #") || value.endsWith(":") || value.contains("\t")) {
            return false;
        }
        if (inFlow) {
            for (char c : new char[] {',', '[', ']', '{', '}', ':', '#'}) {
                if (value.indexOf(c) >= 0) {
                    return false;
                }
            }
        }
        return true;
    }

    static String doubleQuoted(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static boolean isPrintableSingleLine(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\uFEFF') {
                return false;
            }
        }
        return true;
    }
}
