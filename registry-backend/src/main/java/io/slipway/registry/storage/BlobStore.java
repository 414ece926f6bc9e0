package io.slipway.registry.storage;

import io.slipway.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * Where blob bytes live: content-addressed blobs, plus the in-progress uploads that become them.
 * Everything above this seam is storage-agnostic, as with the storage drivers of the CNCF
 * Distribution registry. Identifiers handed in here are already validated (a {@link Digest}, an
 * upload id that is a UUID), so no implementation ever sees a path trick.
 */
public interface BlobStore extends AutoCloseable {

    /** The size of a stored blob, or empty when the store does not hold it. */
    OptionalLong size(Digest digest) throws IOException;

    /** Opens a stored blob for reading, or returns null when it is not held. */
    BlobContent open(Digest digest) throws IOException;

    /** Reads a whole small blob (a manifest) into memory; null when it is not held. */
    byte[] readAll(Digest digest, int maxBytes) throws IOException;

    /** Stores small content whose digest the caller has just computed (manifests). */
    void putVerified(Digest digest, byte[] content) throws IOException;

    /** Removes a stored blob; true when it was there. */
    boolean delete(Digest digest) throws IOException;

    /**
     * Removes stored blobs, as many per request as the store takes (garbage collection's delete):
     * the digests of them it held, as far as it can tell without asking per blob; a store that
     * cannot (S3: DeleteObjects answers a key it did not hold as deleted) answers them all.
     */
    default java.util.Set<Digest> deleteAll(java.util.Collection<Digest> digests) throws IOException {
        java.util.Set<Digest> held = new java.util.HashSet<>();
        for (Digest d : digests) {
            if (delete(d)) {
                held.add(d);
            }
        }
        return held;
    }

    /** Starts an empty upload. */
    void createUpload(String uploadId) throws IOException;

    /** The number of bytes an upload holds, or -1 when there is no such upload. */
    long uploadSize(String uploadId) throws IOException;

    /** Appends to an upload; the writer must be closed to release the upload. */
    UploadWriter appendTo(String uploadId) throws IOException;

    /** Reads an upload's bytes from the start (to rebuild a hash after a restart). */
    InputStream readUpload(String uploadId) throws IOException;

    /**
     * Makes a finished upload's bytes the blob {@code digest}, leaving the upload as it was. The
     * caller has verified the digest; the store makes the bytes durable before they become
     * visible. Placing a blob that already exists keeps the existing one. The upload stays until
     * the caller has recorded the blob and deletes it, so that a crash between the two leaves an
     * upload that can still be finished, never a recorded upload whose bytes are gone.
     */
    void placeUpload(String uploadId, Digest digest) throws IOException;

    /** {@link #placeUpload} and then {@link #deleteUpload}: for callers that record nothing in between. */
    default void commitUpload(String uploadId, Digest digest) throws IOException {
        placeUpload(uploadId, digest);
        deleteUpload(uploadId);
    }

    /**
     * Uploads last written before {@code cutoff}: what a sweep checks against the recorded upload
     * sessions, to remove bytes a crash left without one. Empty when the store cannot list them.
     */
    default java.util.List<String> uploadsWrittenBefore(java.time.Instant cutoff) throws IOException {
        return java.util.List.of();
    }

    /** A blob a listing of the store found: its digest, bytes and when it was written. */
    record Listed(Digest digest, long size, long modifiedMillis) {
        /** The entry named {@code <algorithm>/<hex>} in a store's layout, or null when that is no digest. */
        static Listed of(String algorithm, String hex, long size, long modifiedMillis) {
            try {
                return new Listed(Digest.parse(algorithm + ":" + hex), size, modifiedMillis);
            } catch (io.slipway.oci.InvalidDigestException e) {
                return null;
            }
        }
    }

    /**
     * Every blob the store holds, read from the store itself (not from the metadata): garbage
     * collection's walk for digests its ledger does not know. Entries that are not a blob of this
     * store's layout are left out. A blob placed or deleted during the listing may or may not appear.
     */
    default java.util.List<Listed> listBlobs() throws IOException {
        throw new IOException(getClass().getSimpleName() + " cannot list its blobs");
    }

    /** Discards an upload; true when it existed. */
    boolean deleteUpload(String uploadId) throws IOException;

    @Override
    default void close() throws IOException {
    }

    /** Bytes appended to an upload. */
    interface UploadWriter extends AutoCloseable {
        void write(ByteBuffer buffer) throws IOException;

        /** Bytes in the upload so far (including what was there before this writer). */
        long position() throws IOException;

        /** Drops everything past {@code size}, undoing a partial append. */
        void truncate(long size) throws IOException;

        @Override
        void close() throws IOException;
    }
}
