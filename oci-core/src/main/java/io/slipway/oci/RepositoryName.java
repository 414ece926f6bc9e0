package io.slipway.oci;

import java.util.regex.Pattern;

/**
 * A repository name, {@code <namespace>/<repository>[/…]}, checked against the distribution
 * specification's grammar before anything touches a disk or a query: lowercase components
 * separated by {@code /}, each made of alphanumerics joined by {@code .}, {@code _}, {@code __} or
 * runs of {@code -}. This refuses {@code ..}, empty components, upper case and every other path
 * trick by construction.
 */
public record RepositoryName(String value) {

    /** The distribution specification's limit on a whole name (host excluded). */
    public static final int DEFAULT_MAX_LENGTH = 255;

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");

    public RepositoryName {
        String problem = problem(value, DEFAULT_MAX_LENGTH);
        if (problem != null) {
            throw new InvalidNameException(problem);
        }
    }

    public static RepositoryName parse(String value) {
        return new RepositoryName(value);
    }

    /** Why {@code value} is not a valid repository name, or null when it is. */
    public static String problem(String value, int maxLength) {
        if (value == null || value.isEmpty()) {
            return "repository name is empty";
        }
        if (value.length() > maxLength) {
            return "repository name is longer than " + maxLength + " characters";
        }
        String[] parts = value.split("/", -1);
        if (parts.length < 2) {
            return "repository name must be <namespace>/<repository>";
        }
        for (String part : parts) {
            if (!COMPONENT.matcher(part).matches()) {
                return "invalid repository name component \"" + printable(part) + "\"";
            }
        }
        return null;
    }

    /** The first component: the namespace that owns the repository. */
    public String namespace() {
        return value.substring(0, value.indexOf('/'));
    }

    @Override
    public String toString() {
        return value;
    }

    private static String printable(String s) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
