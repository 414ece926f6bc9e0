package io.slipway.registry.metadata;

import io.slipway.oci.Digest;
import java.time.Instant;

/**
 * One line of an image listing: Repository / Tag / Digest / Namespace / Created / Size, and the
 * manifest's effective artifact type, from which {@link io.slipway.oci.ArtifactKind} tells its kind.
 */
public record ImageRow(String repository, String tag, Digest digest, String mediaType, Instant created, long size,
                       String artifactType) {

    public io.slipway.oci.ArtifactKind kind() {
        return io.slipway.oci.ArtifactKind.of(mediaType, artifactType);
    }

    public String namespace() {
        return repository.substring(0, repository.indexOf('/'));
    }
}
