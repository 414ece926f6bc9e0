package io.slipway.trust.policy;

import io.slipway.trust.DockerReference;
import java.util.Objects;

/**
 * Which images a rule covers, as in Portieris: a repository name where {@code *} stands for any
 * run of characters, {@code /} included ({@code registry.local:5000/team-a/*} covers every
 * repository below {@code team-a}, {@code *} covers everything). A pattern may end in a tag or a
 * digest to cover a single image. A pattern without {@code *} is normalized as a Docker reference,
 * so {@code busybox} means {@code docker.io/library/busybox}.
 */
public record RepositoryPattern(String glob) {

    public RepositoryPattern {
        Objects.requireNonNull(glob, "glob");
        if (glob.isBlank()) {
            throw new InvalidPolicyException("a repository name pattern is empty");
        }
        if (!glob.contains("*")) {
            try {
                glob = DockerReference.parse(glob).toString();
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException("repository name \"" + glob + "\" is not valid: " + e.getMessage());
            }
        }
    }

    /** True when the pattern covers {@code image}: its repository, or its repository with tag or digest. */
    public boolean matches(DockerReference image) {
        if (globMatches(glob, image.name())) {
            return true;
        }
        if (image.tag() != null && globMatches(glob, image.name() + ":" + image.tag())) {
            return true;
        }
        return image.digest() != null && globMatches(glob, image.name() + "@" + image.digest());
    }

    /**
     * True when the pattern spells out registry {@code host} ({@code host[:port]}) literally before
     * its first {@code /}: {@code quay.example/team/*} names {@code quay.example}, {@code *} and
     * {@code *.example/*} name no registry.
     */
    public boolean namesHost(String host) {
        int slash = glob.indexOf('/');
        return slash > 0 && host != null && glob.substring(0, slash).equalsIgnoreCase(host);
    }

    /** True when the pattern has no wildcard: it names one repository or image. */
    public boolean isExact() {
        return !glob.contains("*");
    }

    /**
     * How specific the pattern is: exact names first, then by the number of literal characters,
     * so {@code host/team/app-*} is more specific than {@code host/team/*}, which beats {@code *}.
     */
    public int specificity() {
        int literal = glob.replace("*", "").length();
        return isExact() ? Integer.MAX_VALUE / 2 + literal : literal;
    }

    // Only '*' is special: no regular expression is built from policy text.
    private static boolean globMatches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return glob;
    }
}
