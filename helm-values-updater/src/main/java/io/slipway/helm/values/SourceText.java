package io.slipway.helm.values;

/**
 * The text of a values file with the conversions the YAML parser needs: snakeyaml-engine counts
 * positions in Unicode code points while Java strings index UTF-16 chars, so every mark is
 * translated before it touches the string (an emoji before a value would otherwise shift the edit).
 */
final class SourceText {
    private final String text;
    private final int[] charIndexOfCodePoint; // null when the text has no surrogate pairs

    SourceText(String text) {
        this.text = text;
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints == text.length()) {
            charIndexOfCodePoint = null;
        } else {
            charIndexOfCodePoint = new int[codePoints + 1];
            int chars = 0;
            for (int cp = 0; cp < codePoints; cp++) {
                charIndexOfCodePoint[cp] = chars;
                chars += Character.charCount(text.codePointAt(chars));
            }
            charIndexOfCodePoint[codePoints] = chars;
        }
    }

    String text() {
        return text;
    }

    int charIndex(int codePointIndex) {
        return charIndexOfCodePoint == null ? codePointIndex : charIndexOfCodePoint[codePointIndex];
    }

    /** The file's own line break, so inserted lines match (CRLF files stay CRLF). */
    String lineBreak() {
        int lf = text.indexOf('\n');
        return lf > 0 && text.charAt(lf - 1) == '\r' ? "\r\n" : "\n";
    }

    /** The whole line (without its break) that holds {@code charIndex}. */
    String lineAt(int charIndex) {
        int start = text.lastIndexOf('\n', Math.max(0, charIndex - 1)) + 1;
        if (charIndex == 0) {
            start = 0;
        }
        int end = text.indexOf('\n', charIndex);
        if (end < 0) {
            end = text.length();
        }
        if (end > start && text.charAt(end - 1) == '\r') {
            end--;
        }
        return text.substring(start, end);
    }
}
