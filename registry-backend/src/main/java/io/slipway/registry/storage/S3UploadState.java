package io.slipway.registry.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

/**
 * What an upload holds, kept as a small JSON object beside its bytes so that every node reads the
 * same answer: the ordered segment objects whose concatenation is the upload.
 *
 * <p>Every segment but the last is at least S3's minimum part size, so that committing can join
 * them with server-side part copies; the last (the "tail") may be smaller and is rewritten, joined
 * with the next bytes, by the next append.
 */
record S3UploadState(List<Segment> segments) {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Segment(String key, long size) {
    }

    S3UploadState {
        segments = List.copyOf(segments);
    }

    static S3UploadState empty() {
        return new S3UploadState(List.of());
    }

    long size() {
        long n = 0;
        for (Segment s : segments) {
            n += s.size();
        }
        return n;
    }

    byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    static S3UploadState fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, S3UploadState.class);
    }
}
