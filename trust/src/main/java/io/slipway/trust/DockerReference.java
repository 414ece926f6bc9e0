package io.slipway.trust;

import io.slipway.oci.Digest;
import io.slipway.oci.InvalidDigestException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Docker reference as signatures name it, {@code host[:port]/path[:tag][@digest]}, normalized the
 * way containers/image and docker/distribution do ({@code busybox} is
 * {@code docker.io/library/busybox}). Signature identities are compared in this normalized form,
 * so two spellings of one image cannot be told apart by a policy, and a signature cannot claim an
 * identity by spelling it differently.
 *
 * @param name   the repository name with its registry host, e.g. {@code registry.local:5000/team/app}
 * @param tag    the tag, or null
 * @param digest the digest, or null
 */
public record DockerReference(String name, String tag, Digest digest) {

    /** The default registry of unqualified names, as Docker spells it after normalization. */
    public static final String DEFAULT_DOMAIN = "docker.io";

    private static final String LEGACY_DEFAULT_DOMAIN = "index.docker.io";
    private static final int MAX_NAME_LENGTH = 255;

    private static final Pattern DOMAIN = Pattern.compile(
            "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                    + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern HEX_IDENTIFIER = Pattern.compile("[a-f0-9]{64}");

    public DockerReference {
        Objects.requireNonNull(name, "name");
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("invalid tag \"" + tag + "\"");
        }
    }

    /**
     * Parses and normalizes a reference. A name without a registry host is a Docker Hub name, as
     * every container tool reads it; a one-component Docker Hub name gains {@code library/}.
     *
     * @throws IllegalArgumentException when the text is not a valid reference
     */
    public static DockerReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("image reference is empty");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (InvalidDigestException e) {
                throw new IllegalArgumentException("invalid digest in reference \"" + text + "\": " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("invalid tag in reference \"" + text + "\"");
            }
        }
        return new DockerReference(normalizeName(rest, text), tag, digest);
    }

    private static String normalizeName(String name, String original) {
        if (HEX_IDENTIFIER.matcher(name).matches()) {
            // docker refuses these as names: they would be confused with image IDs.
            throw new IllegalArgumentException("\"" + original + "\" is an image ID, not a repository name");
        }
        String domain;
        String path;
        int slash = name.indexOf('/');
        String first = slash < 0 ? name : name.substring(0, slash);
        if (slash < 0 || !(first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(java.util.Locale.ROOT)))) {
            domain = DEFAULT_DOMAIN;
            path = name;
        } else {
            domain = first;
            path = name.substring(slash + 1);
        }
        if (!DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("invalid registry host in reference \"" + original + "\"");
        }
        if (domain.equals(LEGACY_DEFAULT_DOMAIN)) {
            domain = DEFAULT_DOMAIN;
        }
        if (domain.equals(DEFAULT_DOMAIN) && path.indexOf('/') < 0) {
            path = "library/" + path;
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("invalid repository name in reference \"" + original + "\"");
            }
        }
        String full = domain + "/" + path;
        if (full.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("repository name longer than " + MAX_NAME_LENGTH + " characters");
        }
        return full;
    }

    /** The registry host (with port), e.g. {@code docker.io} or {@code 127.0.0.1:5000}. */
    public String domain() {
        return name.substring(0, name.indexOf('/'));
    }

    /** The repository path below the host, e.g. {@code team/app}. */
    public String path() {
        return name.substring(name.indexOf('/') + 1);
    }

    /** True when neither a tag nor a digest is given: such a reference names no single image. */
    public boolean isNameOnly() {
        return tag == null && digest == null;
    }

    /** This reference with the same name and another digest, and no tag. */
    public DockerReference withDigest(Digest newDigest) {
        return new DockerReference(name, null, newDigest);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name);
        if (tag != null) {
            s.append(':').append(tag);
        }
        if (digest != null) {
            s.append('@').append(digest);
        }
        return s.toString();
    }
}
