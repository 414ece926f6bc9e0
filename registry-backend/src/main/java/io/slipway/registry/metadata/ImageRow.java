package io.slipway.registry.metadata;

import io.slipway.oci.Digest;
import java.time.Instant;

/** One line of an image listing: Repository / Tag / Digest / Namespace / Created / Size. */
public record ImageRow(String repository, String tag, Digest digest, String mediaType, Instant created, long size) {

    public String namespace() {
        return repository.substring(0, repository.indexOf('/'));
    }
}
