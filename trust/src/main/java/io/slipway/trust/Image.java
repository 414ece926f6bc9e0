package io.slipway.trust;

import io.slipway.oci.Digest;
import java.util.Objects;

/**
 * The image whose signatures are checked: the reference it is known by (which signatures must
 * name, per an {@link IdentityMatch}) and the digest of its manifest (which signatures must sign).
 * The caller resolves tags to digests before asking; this library never fetches anything.
 */
public record Image(DockerReference reference, Digest manifestDigest) {

    public Image {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        if (reference.digest() != null && !reference.digest().equals(manifestDigest)) {
            throw new IllegalArgumentException("reference " + reference + " names another digest than " + manifestDigest);
        }
    }

    /** The image {@code reference} whose manifest is {@code manifest} (hashed with sha256). */
    public static Image of(String reference, byte[] manifest) {
        return new Image(DockerReference.parse(reference), Digest.sha256(manifest));
    }

    public static Image of(String reference, Digest manifestDigest) {
        return new Image(DockerReference.parse(reference), manifestDigest);
    }

    @Override
    public String toString() {
        return reference.digest() != null ? reference.toString() : reference + "@" + manifestDigest;
    }
}
