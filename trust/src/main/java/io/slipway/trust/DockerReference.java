package io.slipway.trust;

import io.slipway.oci.Digest;
import io.slipway.oci.Reference;
import io.slipway.oci.Tag;
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

    private static final Pattern HEX_IDENTIFIER = Pattern.compile("[a-f0-9]{64}");

    public DockerReference {
        Objects.requireNonNull(name, "name");
        if (tag != null && !Tag.isValid(tag)) {
            throw new IllegalArgumentException("invalid tag \"" + tag + "\"");
        }
    }

    /**
     * Parses and normalizes a reference. A name without a registry host is a Docker Hub name, as
     * every container tool reads it; a one-component Docker Hub name gains {@code library/}. The
     * grammar is oci-core's {@link Reference}; this adds the normalization.
     *
     * @throws IllegalArgumentException when the text is not a valid reference
     */
    public static DockerReference parse(String text) {
        Reference parsed = Reference.parse(text);
        if (parsed.registry() == null && HEX_IDENTIFIER.matcher(parsed.repository()).matches()) {
            // docker refuses these as names: they would be confused with image IDs.
            throw new IllegalArgumentException("\"" + text + "\" is an image ID, not a repository name");
        }
        return of(parsed);
    }

    /** The normalized form of a parsed reference. */
    public static DockerReference of(Reference reference) {
        return new DockerReference(reference.canonicalName(), reference.tag(), reference.digest());
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
