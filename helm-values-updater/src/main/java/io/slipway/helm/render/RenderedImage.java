package io.slipway.helm.render;

/**
 * A container image as a chart rendered it.
 *
 * @param image    the {@code image:} value
 * @param source   the template it came from ({@code # Source:} line Helm writes), or "" when unknown
 * @param line     1-based line in the rendered output
 * @param lineText that whole rendered line, for error messages that show what is wrong
 */
public record RenderedImage(String image, String source, int line, String lineText) {
    @Override
    public String toString() {
        return (source.isEmpty() ? "" : source + ", ") + "rendered line " + line + ": " + lineText.strip();
    }
}
