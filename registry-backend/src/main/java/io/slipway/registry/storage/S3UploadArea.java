package io.slipway.registry.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Uploads in progress, kept entirely in the bucket under {@code uploads/<id>/} so that any node can
 * continue or finish an upload another node began:
 * <pre>
 *   uploads/&lt;id&gt;/state          which segments make up the upload ({@link S3UploadState})
 *   uploads/&lt;id&gt;/&lt;seq&gt;-&lt;random&gt;  one segment: a plain object of consecutive bytes
 * </pre>
 * The bytes are plain objects rather than parts of an open multipart upload because S3 cannot read
 * back the parts of an unfinished multipart upload, and the registry must be able to rehash what an
 * upload holds when a chunk arrives at a node that did not see the earlier ones. Committing joins
 * the segments with one multipart upload of server-side part copies, so a blob's bytes travel
 * through a node once.
 */
final class S3UploadArea {
    /** S3 refuses parts smaller than this, except the last. */
    static final long MIN_PART = 5L << 20;

    private final S3Bucket bucket;
    private final int segmentSize;

    S3UploadArea(S3Bucket bucket, int segmentSize) {
        if (segmentSize < MIN_PART) {
            throw new IllegalArgumentException("the S3 part size must be at least 5 MiB");
        }
        this.bucket = bucket;
        this.segmentSize = segmentSize;
    }

    static String prefix(String uploadId) {
        // Re-parse so that nothing but a canonical UUID can name a key here.
        String canonical = UUID.fromString(uploadId).toString();
        if (!canonical.equals(uploadId)) {
            throw new IllegalArgumentException("invalid upload id");
        }
        return "uploads/" + canonical + "/";
    }

    private static String stateKey(String uploadId) {
        return prefix(uploadId) + "state";
    }

    void create(String uploadId) throws IOException {
        save(uploadId, S3UploadState.empty());
    }

    /** The upload's state, or null when there is no such upload. */
    S3UploadState state(String uploadId) throws IOException {
        byte[] json = bucket.read(stateKey(uploadId));
        return json == null ? null : S3UploadState.fromJson(json);
    }

    void save(String uploadId, S3UploadState state) throws IOException {
        byte[] json = state.toJson();
        bucket.put(stateKey(uploadId), json, json.length);
    }

    long size(String uploadId) throws IOException {
        S3UploadState state = state(uploadId);
        return state == null ? -1 : state.size();
    }

    BlobStore.UploadWriter append(String uploadId) throws IOException {
        S3UploadState state = state(uploadId);
        if (state == null) {
            throw new IOException("no upload " + uploadId);
        }
        return new S3UploadWriter(this, uploadId, state, segmentSize);
    }

    /** A new, never reused key for a segment: a crash can orphan one, never corrupt a listed one. */
    String newSegmentKey(String uploadId, int sequence) {
        return prefix(uploadId) + String.format("%06d-", sequence) + UUID.randomUUID();
    }

    S3Bucket bucket() {
        return bucket;
    }

    /** The upload's bytes from the start, each segment fetched only when the reader reaches it. */
    InputStream read(String uploadId) throws IOException {
        S3UploadState state = state(uploadId);
        if (state == null) {
            throw new IOException("no upload " + uploadId);
        }
        return new SegmentStream(state.segments());
    }

    /** Reads the segments one after the other, opening each only when the previous one is done. */
    private final class SegmentStream extends InputStream {
        private final List<S3UploadState.Segment> segments;
        private int next;
        private InputStream current = InputStream.nullInputStream();

        SegmentStream(List<S3UploadState.Segment> segments) {
            this.segments = segments;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                int n = current.read(b, off, len);
                if (n >= 0) {
                    return n;
                }
                current.close();
                if (next >= segments.size()) {
                    return -1;
                }
                S3UploadState.Segment s = segments.get(next++);
                current = s.size() == 0 ? InputStream.nullInputStream() : bucket.open(s.key(), 0, s.size());
            }
        }

        @Override
        public void close() throws IOException {
            current.close();
        }
    }

    /**
     * Makes the upload the object {@code target}. The caller verified the digest of these exact
     * bytes; the object appears complete or not at all (a copy or a completed multipart upload).
     * The upload stays until deleted, so a crash before the blob is recorded leaves it resumable.
     */
    void place(String uploadId, String target) throws IOException {
        S3UploadState state = state(uploadId);
        if (state == null) {
            throw new IOException("no upload " + uploadId);
        }
        if (bucket.size(target).isEmpty()) {
            List<String> keys = new ArrayList<>();
            for (S3UploadState.Segment s : state.segments()) {
                keys.add(s.key());
            }
            switch (keys.size()) {
                case 0 -> bucket.put(target, new byte[0], 0);
                case 1 -> bucket.copy(keys.get(0), target);
                default -> bucket.concatenate(keys, target);
            }
            long stored = bucket.size(target).orElse(-1);
            if (stored != state.size()) {
                // Never leave a blob whose bytes are not the ones that were hashed.
                bucket.delete(target);
                throw new IOException("blob " + target + " holds " + stored + " bytes after commit, expected "
                        + state.size());
            }
        }
    }

    /** Removes the state and every segment, including ones a crashed writer left unlisted. */
    boolean delete(String uploadId) throws IOException {
        boolean existed = state(uploadId) != null;
        // The state goes first: a half-deleted upload is then simply unknown, never short.
        if (existed) {
            bucket.delete(stateKey(uploadId));
        }
        for (String key : bucket.list(prefix(uploadId))) {
            bucket.delete(key);
        }
        return existed;
    }
}
