package io.slipway.pipeline;

import io.slipway.oci.Digest;
import io.slipway.oci.InvalidNameException;
import io.slipway.oci.Reference;
import java.util.Objects;

/**
 * An image a step acts on, pinned by digest: steps after the build never act on a tag, because a
 * tag can move between the gate and the signature. Parsed by oci-core's {@link Reference}, the one
 * parser of image references; the registry host the user wrote is kept, because it is part of the
 * identity a signature names.
 *
 * @param registry   the registry host ({@code host[:port]}) the reference names, or null when it names none
 * @param repository {@code namespace/repo}, below the registry host
 * @param digest     the manifest digest
 */
public record PinnedImage(String registry, String repository, Digest digest) {

    public PinnedImage {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(digest, "digest");
    }

    /** An image of the registry a step talks to, named without a host. */
    public PinnedImage(String repository, Digest digest) {
        this(null, repository, digest);
    }

    /** Parses {@code [host/]ns/repo[:tag]@sha256:…}; a reference without a digest is bad input. */
    public static PinnedImage parse(String text) {
        Reference ref;
        try {
            ref = Reference.parse(text);
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (ref.digest() == null) {
            throw new IllegalArgumentException("image \"" + text + "\" has no digest: pass REPO@sha256:…");
        }
        return new PinnedImage(ref.registry(), ref.repository(), ref.digest());
    }

    /**
     * {@code host/ns/repo@digest}: the identity a signature of this image names. The host is the one
     * the reference was written with, or {@code registryHost} (the registry being talked to) when it
     * named none.
     */
    public String identity(String registryHost) {
        return (registry != null ? registry : registryHost) + "/" + repository + "@" + digest;
    }

    @Override
    public String toString() {
        return (registry != null ? registry + "/" : "") + repository + "@" + digest;
    }
}
