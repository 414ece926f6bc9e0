package io.slipway.helm.values;

/** One value an update changed; {@code before} is null for a key that was added. */
public record ValueChange(ValuesPath path, String before, String after) {
    @Override
    public String toString() {
        return path + ": " + (before == null ? "(added)" : before) + " -> " + after;
    }
}
