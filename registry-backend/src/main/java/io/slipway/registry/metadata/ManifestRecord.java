package io.slipway.registry.metadata;

import io.slipway.oci.Digest;
import java.time.Instant;
import java.util.List;

/**
 * What the metadata store keeps about one manifest in one repository.
 *
 * @param totalSize   manifest + config + layers (or + children, for an index): the image size a
 *                    listing shows
 * @param created     the image's creation time from its config when it has one, else the push time
 * @param references  blobs and child manifests it references (kept so that a listing, garbage
 *                    collection and the scanner need not re-read the manifest)
 */
public record ManifestRecord(
        String repository,
        Digest digest,
        String mediaType,
        long size,
        Digest configDigest,
        String artifactType,
        Digest subject,
        String annotationsJson,
        long totalSize,
        Instant created,
        Instant pushed,
        List<Digest> references) {

    public ManifestRecord {
        references = references == null ? List.of() : List.copyOf(references);
    }
}
