package io.slipway.pipeline;

import io.slipway.oci.Digest;
import io.slipway.oci.InvalidNameException;
import io.slipway.oci.Reference;

/**
 * An image a step acts on, pinned by digest: steps after the build never act on a tag, because a
 * tag can move between the gate and the signature.
 *
 * @param repository {@code namespace/repo}, without the registry host
 * @param digest     the manifest digest
 */
public record ImageInput(String repository, Digest digest) {

    /** Parses {@code [host/]ns/repo[:tag]@sha256:…}; a reference without a digest is bad input. */
    public static ImageInput parse(String text) {
        Reference ref;
        try {
            ref = Reference.parse(text);
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (ref.digest() == null) {
            throw new IllegalArgumentException("image \"" + text + "\" has no digest: pass REPO@sha256:…");
        }
        return new ImageInput(ref.repository(), ref.digest());
    }

    @Override
    public String toString() {
        return repository + "@" + digest;
    }
}
