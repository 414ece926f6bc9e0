package io.slipway.registry.metadata;

import java.time.Instant;

/** An upload in progress: the repository it was started for and when. Its bytes are in the blob store. */
public record UploadSession(String id, String repository, Instant started) {
}
