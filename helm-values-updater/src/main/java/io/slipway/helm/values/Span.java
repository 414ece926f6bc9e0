package io.slipway.helm.values;

/**
 * Where a node sits in the source: Java char offsets {@code [start, end)}, and the 0-based line and
 * column of its start as the parser reports them.
 */
record Span(int start, int end, int line, int column) {
}
