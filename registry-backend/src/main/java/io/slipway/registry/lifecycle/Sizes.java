package io.slipway.registry.lifecycle;

import io.slipway.registry.tenancy.TenancyException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them for quotas: {@code 500MB}, {@code 2GiB}, {@code 1.5GB}, {@code 1048576}
 * (bytes). KB, MB, GB, TB are powers of 1000 and KiB, MiB, GiB, TiB powers of 1024, as in SI and
 * IEC; {@code unlimited} (or {@code none}) removes a limit. The one parser of quota sizes: the CLI
 * sends the text as typed.
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGTP]I?B|B)?");

    private Sizes() {
    }

    /** The bytes {@code text} stands for, or null for "unlimited"; refuses anything else with the accepted forms. */
    public static Long parse(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        if (t.equals("UNLIMITED") || t.equals("NONE")) {
            return null;
        }
        Matcher m = SIZE.matcher(t);
        if (!m.matches()) {
            throw TenancyException.invalid("not a size: \"" + printable(text)
                    + "\" (write it like 500MB, 2GiB or 1048576; \"unlimited\" for no limit)");
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit) {
            case "B" -> 1L;
            case "KB" -> 1000L;
            case "MB" -> 1000_000L;
            case "GB" -> 1000_000_000L;
            case "TB" -> 1000_000_000_000L;
            case "PB" -> 1000_000_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "TIB" -> 1L << 40;
            case "PIB" -> 1L << 50;
            default -> throw TenancyException.invalid("unknown size unit " + unit);
        };
        java.math.BigDecimal bytes = new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(factor));
        if (bytes.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw TenancyException.invalid("size " + printable(text) + " is too large");
        }
        return bytes.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    /** A size for people: {@code 512 B}, {@code 1.5 MB}, {@code 3.2 GB} (powers of 1000). */
    public static String format(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    private static String printable(String s) {
        return s == null ? "" : (s.length() > 40 ? s.substring(0, 40) : s).replaceAll("[^\\x20-\\x7e]", "?");
    }
}
