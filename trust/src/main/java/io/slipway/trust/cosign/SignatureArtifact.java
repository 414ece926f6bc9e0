package io.slipway.trust.cosign;

import io.slipway.oci.Digest;
import java.util.List;
import java.util.Objects;

/**
 * What to store for a signature manifest: upload {@link #blobs()} first, then put
 * {@link #manifest()} at {@link #tag()} (the tag form) or by its digest (the referrer form, whose
 * tag is null).
 *
 * @param manifest  the manifest bytes, exactly as to be stored
 * @param mediaType its media type (the Content-Type of the PUT)
 * @param digest    its digest
 * @param tag       where to put it, or null to put it by digest
 * @param blobs     the blobs this manifest needs that are new: its config, and the payloads added
 *                  since it was read (blobs of earlier layers are already stored)
 */
public record SignatureArtifact(byte[] manifest, String mediaType, Digest digest, String tag, List<Blob> blobs) {

    /** A blob to upload. */
    public record Blob(Digest digest, String mediaType, byte[] content) {
        public Blob {
            Objects.requireNonNull(digest, "digest");
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }
    }

    public SignatureArtifact {
        manifest = manifest.clone();
        blobs = List.copyOf(blobs);
    }

    @Override
    public byte[] manifest() {
        return manifest.clone();
    }
}
