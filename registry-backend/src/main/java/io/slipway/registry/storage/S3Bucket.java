package io.slipway.registry.storage;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The few object operations the S3 blob store needs, on one bucket. S3 errors become
 * {@link IOException}s (the blob store's contract) and "not found" becomes an empty answer.
 */
final class S3Bucket {
    private final S3Client s3;
    private final String bucket;

    S3Bucket(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    String name() {
        return bucket;
    }

    /** Fails at start-up, with a message an operator can act on, when the bucket cannot be reached. */
    void check() throws IOException {
        call(() -> s3.headBucket(b -> b.bucket(bucket)), "bucket " + bucket + " is not reachable");
    }

    OptionalLong size(String key) throws IOException {
        try {
            return OptionalLong.of(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return OptionalLong.empty();
            }
            throw io("HEAD " + key, e);
        } catch (SdkException e) {
            throw io("HEAD " + key, e);
        }
    }

    /** A whole (small) object, or null when there is none. */
    byte[] read(String key) throws IOException {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw io("GET " + key, e);
        } catch (SdkException e) {
            throw io("GET " + key, e);
        }
    }

    /** {@code length} (> 0) bytes from {@code offset}, streamed with a ranged GET. */
    InputStream open(String key, long offset, long length) throws IOException {
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        return new RangeStream(call(() -> s3.getObject(b -> b.bucket(bucket).key(key).range(range)), "GET " + key),
                length);
    }

    /**
     * A ranged GET's body. Closed before its end (a client that hung up mid-pull), the connection is
     * aborted rather than drained, which for a large layer would mean reading the rest of it for
     * nothing.
     */
    private static final class RangeStream extends FilterInputStream {
        private final ResponseInputStream<?> response;
        private long remaining;

        RangeStream(ResponseInputStream<?> response, long length) {
            super(response);
            this.response = response;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                remaining--;
            } else {
                remaining = 0;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                remaining -= n;
            } else if (n < 0) {
                remaining = 0;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            if (remaining > 0) {
                response.abort();
            }
            super.close();
        }
    }

    void put(String key, byte[] bytes, int length) throws IOException {
        // A stream over the caller's array rather than a copy of it: segments are several MiB.
        call(() -> s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) length),
                RequestBody.fromInputStream(new ByteArrayInputStream(bytes, 0, length), length)), "PUT " + key);
    }

    /** A server-side copy: the bytes never pass through this node. */
    void copy(String from, String to) throws IOException {
        call(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                .destinationKey(to)), "COPY " + from + " to " + to);
    }

    void delete(String key) throws IOException {
        call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)), "DELETE " + key);
    }

    /** Set once the server refused a DeleteObjects as not implemented: then keys are deleted one by one. */
    private volatile boolean bulkRefused;

    /** What deletes keys one by one for a server without DeleteObjects, {@link #EACH} at a time. */
    private static final int EACH = 16;
    private static final java.util.concurrent.ExecutorService DELETERS = java.util.concurrent.Executors.newFixedThreadPool(
            EACH, r -> {
                Thread t = new Thread(r, "s3-delete");
                t.setDaemon(true);
                return t;
            });

    /**
     * Deletes every key (absent ones too): 1,000 per DeleteObjects request, or, on a server that
     * answers DeleteObjects as not implemented (S3Proxy, older S3-compatible servers: the SDK sends
     * it with the flexible x-amz-checksum-crc32 that S3 now takes, where they want Content-MD5),
     * {@link #EACH} single DELETEs at a time. Fails when any key could not be deleted.
     */
    void deleteAll(List<String> keys) throws IOException {
        int done = 0;
        while (done < keys.size() && !bulkRefused) {
            List<String> part = keys.subList(done, Math.min(keys.size(), done + 1000));
            List<ObjectIdentifier> ids = new ArrayList<>();
            for (String key : part) {
                ids.add(ObjectIdentifier.builder().key(key).build());
            }
            DeleteObjectsResponse r;
            try {
                r = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids).quiet(true)));
            } catch (S3Exception e) {
                if (!bulkDeleteUnsupported(e)) {
                    throw io("DELETE " + ids.size() + " objects", e);
                }
                bulkRefused = true;
                org.slf4j.LoggerFactory.getLogger(S3Bucket.class).warn("bucket {} refuses DeleteObjects ({}); deleting "
                        + "one key per request from now on", bucket, e.getMessage());
                break;
            } catch (SdkException e) {
                throw io("DELETE " + ids.size() + " objects", e);
            }
            if (r.hasErrors() && !r.errors().isEmpty()) {
                S3Error e = r.errors().get(0);
                throw new IOException("S3 DELETE " + e.key() + " in bucket " + bucket + " failed: " + e.code() + " "
                        + e.message() + (r.errors().size() > 1 ? " (and " + (r.errors().size() - 1) + " more)" : ""));
            }
            done += part.size();
        }
        if (done < keys.size()) {
            deleteEach(keys.subList(done, keys.size()));
        }
    }

    /** A server without DeleteObjects says 501 Not Implemented, or that the request needs a Content-MD5. */
    private static boolean bulkDeleteUnsupported(S3Exception e) {
        if (e.statusCode() == 501) {
            return true;
        }
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String message = String.valueOf(e.getMessage());
        return e.statusCode() == 400 && ("MissingContentMD5".equals(code) || "NotImplemented".equals(code)
                || message.contains("Content-MD5"));
    }

    private void deleteEach(List<String> keys) throws IOException {
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (String key : keys) {
            running.add(DELETERS.submit(() -> {
                delete(key);
                return null;
            }));
        }
        IOException failure = null;
        for (java.util.concurrent.Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
            } catch (InterruptedException e) {
                running.forEach(r -> r.cancel(true));
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted deleting objects of bucket " + bucket);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    List<String> list(String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        for (S3Object o : objects(prefix)) {
            keys.add(o.key());
        }
        return keys;
    }

    /** Every object under {@code prefix}, with its size and last modification. */
    List<S3Object> objects(String prefix) throws IOException {
        List<S3Object> objects = new ArrayList<>();
        call(() -> {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                objects.add(o);
            }
            return null;
        }, "LIST " + prefix);
        return objects;
    }

    /**
     * Makes {@code target} the concatenation of {@code sources} with one multipart upload whose
     * parts are server-side copies. Every source but the last must be at least S3's 5 MiB part
     * minimum. The target appears whole when the upload completes, or not at all.
     */
    void concatenate(List<String> sources, String target) throws IOException {
        String uploadId = call(() -> s3.createMultipartUpload(b -> b.bucket(bucket).key(target)).uploadId(),
                "CREATE MULTIPART " + target);
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                int partNumber = i + 1;
                String source = sources.get(i);
                String etag = call(() -> s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(source)
                        .destinationBucket(bucket).destinationKey(target).uploadId(uploadId).partNumber(partNumber))
                        .copyPartResult().eTag(), "COPY PART " + source);
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
            }
            call(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))), "COMPLETE MULTIPART " + target);
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(uploadId));
            } catch (SdkException abortFailed) {
                // A lifecycle rule for incomplete multipart uploads reclaims what is left.
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    private <T> T call(Call<T> call, String what) throws IOException {
        try {
            return call.run();
        } catch (SdkException e) {
            throw io(what, e);
        }
    }

    private IOException io(String what, SdkException e) {
        return new IOException("S3 " + what + " in bucket " + bucket + " failed: " + e.getMessage(), e);
    }
}
