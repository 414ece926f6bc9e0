package io.slipway.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Numbers and times the way people read them in a table. */
final class Human {
    private Human() {
    }

    /** Decimal units, as docker and the hosted registries print image sizes: {@code 303 MB}. */
    static String size(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return (u == 0 || v >= 10 ? String.valueOf(Math.round(v)) : String.format("%.1f", v)) + " " + units[u];
    }

    /** {@code 6 hours ago}, {@code 3 days ago}, {@code 2 months ago}. */
    static String ago(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        if (d.isNegative() || d.getSeconds() < 60) {
            return "less than a minute ago";
        }
        long minutes = d.toMinutes();
        if (minutes < 60) {
            return plural(minutes, "minute");
        }
        long hours = d.toHours();
        if (hours < 48) {
            return plural(hours, "hour");
        }
        long days = d.toDays();
        if (days < 14) {
            return plural(days, "day");
        }
        if (days < 60) {
            return plural(days / 7, "week");
        }
        if (days < 730) {
            return plural(days / 30, "month");
        }
        return plural(days / 365, "year");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s") + " ago";
    }

    /** Left-aligned columns separated by three spaces, with a header row. */
    static String table(List<String> header, List<List<String>> rows) {
        return io.slipway.pipeline.TextTable.render(header, rows);
    }
}
