package io.slipway.registry.storage;

import io.slipway.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Blobs in an S3-compatible object store, laid out as on the file system:
 * <pre>
 *   blobs/sha256/ab/abcdef…   one object per blob, named by its digest
 *   uploads/&lt;uuid&gt;/…          uploads in progress ({@link S3UploadArea})
 * </pre>
 * Nothing is kept on the node, so any number of registry nodes can share one bucket. A blob object
 * is only ever created whole from an upload whose digest was checked, so a reader never sees a
 * partial or unverified blob. Reads stream with ranged GETs; nothing is held whole in memory but
 * manifests.
 */
public final class S3BlobStore implements BlobStore {
    private final S3Client client;
    private final S3Bucket bucket;
    private final S3UploadArea uploads;
    /** Signs the URLs blob GETs are redirected to; null when pulls stream through the node. */
    private final S3Presigner presigner;
    private final Duration redirect;

    /** A store over {@code settings}' bucket, which must exist; closing the store closes the client. */
    public static S3BlobStore open(S3Settings settings) throws IOException {
        S3Client client = settings.client();
        S3Presigner presigner = null;
        try {
            presigner = settings.presigner();
            return new S3BlobStore(client, settings.bucket(), settings.partSize(), presigner, settings.redirect());
        } catch (IOException | RuntimeException e) {
            if (presigner != null) {
                presigner.close();
            }
            client.close();
            throw e;
        }
    }

    S3BlobStore(S3Client client, String bucketName, int partSize, S3Presigner presigner, Duration redirect)
            throws IOException {
        this.client = client;
        this.bucket = new S3Bucket(client, bucketName);
        this.uploads = new S3UploadArea(bucket, partSize);
        this.presigner = presigner;
        this.redirect = redirect;
        bucket.check();
    }

    static String key(Digest digest) {
        String hex = digest.hex();
        return "blobs/" + digest.algorithm().prefix() + "/" + hex.substring(0, 2) + "/" + hex;
    }

    @Override
    public OptionalLong size(Digest digest) throws IOException {
        return bucket.size(key(digest));
    }

    @Override
    public BlobContent open(Digest digest) throws IOException {
        String key = key(digest);
        OptionalLong size = bucket.size(key);
        if (size.isEmpty()) {
            return null;
        }
        return new S3BlobContent(bucket, key, size.getAsLong(), presigner == null ? null : () -> presigner
                .presignGetObject(p -> p.signatureDuration(redirect).getObjectRequest(g -> g.bucket(bucket.name())
                        .key(key))).url());
    }

    @Override
    public byte[] readAll(Digest digest, int maxBytes) throws IOException {
        String key = key(digest);
        OptionalLong size = bucket.size(key);
        if (size.isEmpty()) {
            return null;
        }
        if (size.getAsLong() > maxBytes) {
            throw new IOException("blob " + digest + " is larger than " + maxBytes + " bytes");
        }
        return bucket.read(key);
    }

    @Override
    public void putVerified(Digest digest, byte[] content) throws IOException {
        String key = key(digest);
        if (bucket.size(key).isEmpty()) {
            bucket.put(key, content, content.length);
        }
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        String key = key(digest);
        if (bucket.size(key).isEmpty()) {
            return false;
        }
        bucket.delete(key);
        return true;
    }

    /** DeleteObjects, 1,000 keys a request (S3's limit): one request where a delete each would be a thousand. */
    @Override
    public java.util.Set<Digest> deleteAll(java.util.Collection<Digest> digests) throws IOException {
        java.util.List<String> keys = new java.util.ArrayList<>();
        for (Digest d : digests) {
            keys.add(key(d));
        }
        bucket.deleteAll(keys);
        return new java.util.HashSet<>(digests);
    }

    @Override
    public java.util.List<Listed> listBlobs() throws IOException {
        java.util.List<Listed> listed = new java.util.ArrayList<>();
        for (var o : bucket.objects("blobs/")) {
            // blobs/<algorithm>/<2 hex>/<hex>; a file-system backed S3 may list its folders too
            String[] parts = o.key().split("/", -1);
            if (parts.length != 4) {
                continue;
            }
            Listed blob = Listed.of(parts[1], parts[3], o.size() == null ? -1 : o.size(),
                    o.lastModified() == null ? 0 : o.lastModified().toEpochMilli());
            if (blob != null && key(blob.digest()).equals(o.key())) {
                listed.add(blob);
            }
        }
        return listed;
    }

    @Override
    public void createUpload(String uploadId) throws IOException {
        uploads.create(uploadId);
    }

    @Override
    public long uploadSize(String uploadId) throws IOException {
        return uploads.size(uploadId);
    }

    @Override
    public UploadWriter appendTo(String uploadId) throws IOException {
        return uploads.append(uploadId);
    }

    @Override
    public InputStream readUpload(String uploadId) throws IOException {
        return uploads.read(uploadId);
    }

    @Override
    public void placeUpload(String uploadId, Digest digest) throws IOException {
        uploads.place(uploadId, key(digest));
    }

    @Override
    public boolean deleteUpload(String uploadId) throws IOException {
        return uploads.delete(uploadId);
    }

    @Override
    public void close() {
        if (presigner != null) {
            presigner.close();
        }
        client.close();
    }

    /** A blob object; its bytes are fetched only when a range of them is streamed. */
    private record S3BlobContent(S3Bucket bucket, String key, long size, Supplier<URL> signer)
            implements BlobContent {
        @Override
        public FileChannel fileChannel() {
            return null;
        }

        @Override
        public URI redirect() {
            if (signer == null) {
                return null;
            }
            try {
                return signer.get().toURI();
            } catch (URISyntaxException e) {
                throw new IllegalStateException("the object store signed an unusable URL", e);
            }
        }

        @Override
        public InputStream stream(long offset, long length) throws IOException {
            return length <= 0 ? InputStream.nullInputStream() : bucket.open(key, offset, length);
        }

        @Override
        public void close() {
            // Each stream is closed by its reader; nothing else is held.
        }
    }
}
