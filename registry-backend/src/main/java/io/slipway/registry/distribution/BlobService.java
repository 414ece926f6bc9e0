package io.slipway.registry.distribution;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.storage.BlobContent;
import io.slipway.registry.storage.BlobStore;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * Blobs as a repository sees them: a blob is readable in a repository only once it was uploaded
 * to, or mounted into, that repository, so that one tenant can never read another's layers by
 * guessing a digest.
 */
public final class BlobService {
    private final BlobStore blobs;
    private final MetadataStore metadata;

    private volatile StorageGuard guard = StorageGuard.NONE;

    /** What refuses a change the storage lifecycle forbids (immutable tags, quotas). */
    public void guard(StorageGuard guard) {
        this.guard = guard;
    }

    public BlobService(BlobStore blobs, MetadataStore metadata) {
        this.blobs = blobs;
        this.metadata = metadata;
    }

    /** The size of a blob readable in {@code repository}, or a BLOB_UNKNOWN error. */
    public long size(String repository, Digest digest) throws IOException {
        OptionalLong linked = metadata.linkedBlobSize(repository, digest);
        if (linked.isEmpty() || blobs.size(digest).isEmpty()) {
            throw new OciError(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + repository);
        }
        return linked.getAsLong();
    }

    /** Opens a blob readable in {@code repository}; the caller closes it. */
    public BlobContent open(String repository, Digest digest) throws IOException {
        OptionalLong size = metadata.linkedBlobSize(repository, digest);
        if (size.isEmpty()) {
            throw new OciError(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + repository);
        }
        guard.beforePull(repository, size.getAsLong());
        BlobContent content = blobs.open(digest);
        if (content == null) {
            throw new OciError(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + repository);
        }
        return content;
    }

    /**
     * Removes the blob from the repository. The bytes stay while other repositories link them;
     * reclaiming unreferenced bytes is garbage collection's job, not a request's.
     */
    public void delete(String repository, Digest digest) {
        if (!metadata.unlinkBlob(repository, digest)) {
            throw new OciError(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + repository);
        }
    }

    /**
     * Links a blob of {@code from} into {@code repository} without sending its bytes again. False
     * when {@code from} cannot read it, so the caller falls back to an upload.
     */
    public boolean mount(String repository, Digest digest, String from) throws IOException {
        OptionalLong size = metadata.linkedBlobSize(from, digest);
        if (size.isEmpty()) {
            return false;
        }
        // Judged (and kept from garbage collection) before the bytes are looked for, so they stay.
        guard.beforeStoring(repository, digest, size.getAsLong());
        if (blobs.size(digest).isEmpty()) {
            return false;
        }
        metadata.linkBlob(repository, digest, size.getAsLong());
        return true;
    }
}
