package io.slipway.registry.metadata;

import java.time.Instant;

/**
 * An upload in progress: the repository it was started for, who started it (the subject, or null
 * when unknown) and when. Its bytes are in the blob store.
 */
public record UploadSession(String id, String repository, String owner, Instant started) {

    public UploadSession(String id, String repository, Instant started) {
        this(id, repository, null, started);
    }
}
