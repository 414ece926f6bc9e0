package io.slipway.oci;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference as users write it, {@code [registry/]repository[:tag][@digest]}, following
 * the grammar of the distribution project's reference package. The text is kept as given (no
 * Docker Hub defaults are added), so writing a reference back produces what the user typed;
 * {@link #canonicalName()} applies the defaults when two references must be compared.
 *
 * @param registry   host with optional port, or null when the reference names none
 * @param repository the path below the registry, e.g. {@code team/app}
 * @param tag        the tag, or null
 * @param digest     the digest, or null
 */
public record Reference(String registry, String repository, String tag, Digest digest) {

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final String DOCKER_HUB = "docker.io";
    private static final int MAX_NAME_LENGTH = 255;

    public Reference {
        if (repository == null || repository.isEmpty()) {
            throw new InvalidNameException("image reference has no repository");
        }
        // The length first: java.util.regex recurses once per repeated group, so a name of a few
        // thousand "a." overflows the stack in the patterns below (a seed of OciParsersFuzzTest replays it).
        int nameLength = repository.length() + (registry == null ? 0 : registry.length() + 1);
        if (nameLength > MAX_NAME_LENGTH) {
            throw new InvalidNameException("image name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (registry != null && !HOST.matcher(registry).matches()) {
            throw new InvalidNameException("invalid registry host \"" + printable(registry) + "\"");
        }
        for (String component : repository.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new InvalidNameException("invalid repository component \"" + printable(component) + "\"");
            }
        }
        if (tag != null && !Tag.isValid(tag)) {
            throw new InvalidNameException("invalid tag \"" + printable(tag) + "\"");
        }
    }

    /** Parses {@code [registry/]repository[:tag][@digest]}; anything else throws. */
    public static Reference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidNameException("image reference is empty");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (InvalidDigestException e) {
                throw new InvalidNameException("invalid image reference \"" + printable(text) + "\": " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = null;
        int slash = rest.indexOf('/');
        if (slash > 0 && looksLikeRegistry(rest.substring(0, slash))) {
            registry = rest.substring(0, slash);
            rest = rest.substring(slash + 1);
        }
        try {
            return new Reference(registry, rest, tag, digest);
        } catch (InvalidNameException e) {
            throw new InvalidNameException("invalid image reference \"" + printable(text) + "\": " + e.getMessage());
        }
    }

    /** {@code registry/repository}, or just the repository when no registry was named. */
    public String name() {
        return registry == null ? repository : registry + "/" + repository;
    }

    /**
     * The name with Docker Hub's defaults applied ({@code nginx} is {@code docker.io/library/nginx}),
     * for deciding whether two references point at the same repository.
     */
    public String canonicalName() {
        // Spelled as given, like docker/distribution's normalization: identities in signatures are
        // compared as strings, and a host spelled differently is a different identity there.
        String host = registry == null ? DOCKER_HUB : registry;
        if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
            host = DOCKER_HUB;
        }
        String path = host.equals(DOCKER_HUB) && repository.indexOf('/') < 0 ? "library/" + repository : repository;
        return host + "/" + path;
    }

    public boolean sameRepository(Reference other) {
        return canonicalName().equals(other.canonicalName());
    }

    public Reference withTag(String newTag) {
        return new Reference(registry, repository, newTag, digest);
    }

    public Reference withDigest(Digest newDigest) {
        return new Reference(registry, repository, tag, newDigest);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(name());
        if (tag != null) {
            out.append(':').append(tag);
        }
        if (digest != null) {
            out.append('@').append(digest);
        }
        return out.toString();
    }

    // The distribution project's rule: a first component is a host when it has a dot or a port,
    // is localhost, or has upper case (repository paths never do).
    private static boolean looksLikeRegistry(String component) {
        return component.indexOf('.') >= 0 || component.indexOf(':') >= 0 || component.startsWith("[")
                || component.equals("localhost") || !component.equals(component.toLowerCase(Locale.ROOT));
    }

    private static String printable(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
