package io.slipway.registry.observe;

import io.slipway.oci.Digest;
import io.slipway.registry.storage.BlobContent;
import io.slipway.registry.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

/**
 * A blob store that times every call of the one it wraps, for
 * {@code slipway_blobstore_operation_duration_seconds}. Streams are timed to their opening (the
 * bytes flow at the client's pace, which the request histogram already shows).
 */
public final class TimedBlobStore implements BlobStore {
    private final BlobStore store;
    private final RegistryMetrics metrics;

    public TimedBlobStore(BlobStore store, RegistryMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T timed(String operation, Call<T> call) throws IOException {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T result = call.run();
            ok = true;
            return result;
        } finally {
            metrics.blobStore(operation, ok, System.nanoTime() - start);
        }
    }

    @Override
    public java.util.List<Listed> listBlobs() throws IOException {
        return timed("list", store::listBlobs);
    }

    @Override
    public OptionalLong size(Digest digest) throws IOException {
        return timed("stat", () -> store.size(digest));
    }

    @Override
    public BlobContent open(Digest digest) throws IOException {
        return timed("open", () -> store.open(digest));
    }

    @Override
    public byte[] readAll(Digest digest, int maxBytes) throws IOException {
        return timed("read", () -> store.readAll(digest, maxBytes));
    }

    @Override
    public void putVerified(Digest digest, byte[] content) throws IOException {
        timed("put", () -> {
            store.putVerified(digest, content);
            return null;
        });
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return timed("delete", () -> store.delete(digest));
    }

    @Override
    public java.util.Set<Digest> deleteAll(java.util.Collection<Digest> digests) throws IOException {
        return timed("delete_all", () -> store.deleteAll(digests));
    }

    @Override
    public void createUpload(String uploadId) throws IOException {
        timed("upload_create", () -> {
            store.createUpload(uploadId);
            return null;
        });
    }

    @Override
    public long uploadSize(String uploadId) throws IOException {
        return timed("upload_stat", () -> store.uploadSize(uploadId));
    }

    @Override
    public UploadWriter appendTo(String uploadId) throws IOException {
        return timed("upload_append", () -> store.appendTo(uploadId));
    }

    @Override
    public InputStream readUpload(String uploadId) throws IOException {
        return timed("upload_read", () -> store.readUpload(uploadId));
    }

    @Override
    public void commitUpload(String uploadId, Digest digest) throws IOException {
        timed("upload_commit", () -> {
            store.commitUpload(uploadId, digest);
            return null;
        });
    }

    @Override
    public void placeUpload(String uploadId, Digest digest) throws IOException {
        timed("upload_place", () -> {
            store.placeUpload(uploadId, digest);
            return null;
        });
    }

    @Override
    public java.util.List<String> uploadsWrittenBefore(java.time.Instant cutoff) throws IOException {
        return timed("upload_list", () -> store.uploadsWrittenBefore(cutoff));
    }

    @Override
    public boolean deleteUpload(String uploadId) throws IOException {
        return timed("upload_delete", () -> store.deleteUpload(uploadId));
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
