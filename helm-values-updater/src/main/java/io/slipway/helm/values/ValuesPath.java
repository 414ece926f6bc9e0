package io.slipway.helm.values;

import java.util.ArrayList;
import java.util.List;

/**
 * A path into a values file as Helm users write it: keys joined by dots, list items by index,
 * {@code containers[0].image}; a key holding dots is written in brackets and quotes,
 * {@code annotations["app.kubernetes.io/name"]}.
 */
public record ValuesPath(List<Segment> segments) {

    /** One step: a mapping key, or a list index. */
    public sealed interface Segment {
    }

    public record Key(String name) implements Segment {
        @Override
        public String toString() {
            return name.matches("[A-Za-z0-9_-]+") ? name : "[\"" + name + "\"]";
        }
    }

    public record Index(int index) implements Segment {
        @Override
        public String toString() {
            return "[" + index + "]";
        }
    }

    public ValuesPath {
        if (segments.isEmpty()) {
            throw new ValuesException(ValuesException.Reason.INVALID_PATH, "empty values path");
        }
        segments = List.copyOf(segments);
    }

    public static ValuesPath parse(String text) {
        List<Segment> segments = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw invalid(text, "unclosed [");
                }
                String inner = text.substring(i + 1, close);
                if (inner.length() >= 2 && (inner.startsWith("\"") && inner.endsWith("\"") || inner.startsWith("'") && inner.endsWith("'"))) {
                    segments.add(new Key(inner.substring(1, inner.length() - 1)));
                } else if (inner.matches("[0-9]{1,9}")) {
                    segments.add(new Index(Integer.parseInt(inner)));
                } else {
                    throw invalid(text, "[" + inner + "] is neither an index nor a quoted key");
                }
                i = close + 1;
            } else if (c == '.') {
                if (i == 0 || i + 1 >= n || text.charAt(i + 1) == '.') {
                    throw invalid(text, "empty key");
                }
                i++;
                if (text.charAt(i) == '[') {
                    throw invalid(text, "'.' before '['");
                }
            } else {
                int end = i;
                while (end < n && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    end++;
                }
                segments.add(new Key(text.substring(i, end)));
                i = end;
            }
        }
        if (segments.isEmpty()) {
            throw invalid(text, "empty path");
        }
        return new ValuesPath(segments);
    }

    public ValuesPath child(String key) {
        List<Segment> more = new ArrayList<>(segments);
        more.add(new Key(key));
        return new ValuesPath(more);
    }

    ValuesPath prefix(int length) {
        return new ValuesPath(segments.subList(0, length));
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Segment s : segments) {
            if (s instanceof Key k && out.length() > 0 && !k.toString().startsWith("[")) {
                out.append('.');
            }
            out.append(s);
        }
        return out.toString();
    }

    private static ValuesException invalid(String text, String why) {
        return new ValuesException(ValuesException.Reason.INVALID_PATH, "invalid values path \"" + text + "\": " + why);
    }
}
