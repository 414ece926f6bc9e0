package io.slipway.registry.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Appends to an upload in the bucket. Bytes are gathered in memory and written as one segment
 * object per {@code segmentSize}; what is left when the writer closes becomes a shorter last
 * segment. A last segment below S3's part minimum is read back and joined with the next bytes, so
 * that every segment but the last can be a part of the multipart upload that commits the blob.
 *
 * <p>The state object is rewritten after each segment, so a node that dies mid-chunk leaves an
 * upload that holds a prefix of what was sent, as a file would; the registry reports its size and
 * the client resumes from there.
 */
final class S3UploadWriter implements BlobStore.UploadWriter {
    private final S3UploadArea area;
    private final String uploadId;
    private final int segmentSize;
    private final List<S3UploadState.Segment> segments;
    /** Keys no longer part of the upload, deleted once the state that drops them is saved. */
    private final List<String> replaced = new ArrayList<>();
    private long durableSize;
    private byte[] buffer = new byte[0];
    private int buffered;
    private int sequence;
    private boolean tailLoaded;
    private boolean dirty;

    S3UploadWriter(S3UploadArea area, String uploadId, S3UploadState state, int segmentSize) {
        this.area = area;
        this.uploadId = uploadId;
        this.segmentSize = segmentSize;
        this.segments = new ArrayList<>(state.segments());
        this.durableSize = state.size();
        this.sequence = segments.size();
    }

    @Override
    public void write(ByteBuffer source) throws IOException {
        loadTail();
        while (source.hasRemaining()) {
            int n = Math.min(source.remaining(), segmentSize - buffered);
            reserve(buffered + n);
            source.get(buffer, buffered, n);
            buffered += n;
            dirty = true;
            if (buffered == segmentSize) {
                flush();
            }
        }
    }

    @Override
    public long position() {
        return durableSize + buffered;
    }

    @Override
    public void truncate(long size) throws IOException {
        loadTail();
        if (size >= durableSize) {
            buffered = (int) Math.min(buffered, size - durableSize);
            dirty = true;
            return;
        }
        buffered = 0;
        while (!segments.isEmpty() && durableSize - last().size() >= size) {
            dropLast();
        }
        if (durableSize > size) {
            // The last kept segment reaches past the cut: its head goes back into the buffer.
            S3UploadState.Segment straddling = dropLast();
            int keep = (int) (size - durableSize);
            if (keep > 0) {
                try (InputStream in = area.bucket().open(straddling.key(), 0, keep)) {
                    byte[] head = in.readNBytes(keep);
                    reserve(keep);
                    System.arraycopy(head, 0, buffer, 0, head.length);
                    buffered = head.length;
                }
            }
        }
        dirty = true;
    }

    @Override
    public void close() throws IOException {
        if (!dirty) {
            return;
        }
        if (buffered > 0) {
            flush();
        } else {
            saveState();
        }
    }

    /** Joins a short last segment with the bytes to come (once per writer). */
    private void loadTail() throws IOException {
        if (tailLoaded) {
            return;
        }
        tailLoaded = true;
        if (segments.isEmpty() || last().size() >= S3UploadArea.MIN_PART) {
            return;
        }
        S3UploadState.Segment tail = last();
        byte[] bytes = tail.size() == 0 ? new byte[0] : area.bucket().read(tail.key());
        if (bytes == null || bytes.length != tail.size()) {
            throw new IOException("segment " + tail.key() + " of upload " + uploadId + " is missing or damaged");
        }
        dropLast();
        reserve(bytes.length);
        System.arraycopy(bytes, 0, buffer, 0, bytes.length);
        buffered = bytes.length;
    }

    private void flush() throws IOException {
        String key = area.newSegmentKey(uploadId, sequence++);
        area.bucket().put(key, buffer, buffered);
        segments.add(new S3UploadState.Segment(key, buffered));
        durableSize += buffered;
        buffered = 0;
        saveState();
    }

    private void saveState() throws IOException {
        area.save(uploadId, new S3UploadState(segments));
        dirty = false;
        for (String key : replaced) {
            area.bucket().delete(key);
        }
        replaced.clear();
    }

    private S3UploadState.Segment last() {
        return segments.get(segments.size() - 1);
    }

    private S3UploadState.Segment dropLast() {
        S3UploadState.Segment s = segments.remove(segments.size() - 1);
        durableSize -= s.size();
        replaced.add(s.key());
        return s;
    }

    /** Grows the buffer (never past one segment) so small uploads need little memory. */
    private void reserve(int capacity) {
        if (capacity > buffer.length) {
            int grown = (int) Math.min(segmentSize, Math.max(capacity, Math.max(64 * 1024L, buffer.length * 2L)));
            buffer = Arrays.copyOf(buffer, grown);
        }
    }
}
