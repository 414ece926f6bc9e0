package io.slipway.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link BlobStore} must have. Each implementation runs it by extending this
 * class and saying how to open a fresh, empty store. Sizes cross 5 MiB where it matters, so that an
 * object store's part boundaries are exercised, not just its small-object path.
 */
public abstract class BlobStoreContract {
    protected static final int MIB = 1 << 20;
    protected BlobStore store;

    protected abstract BlobStore openStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = openStore();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    protected static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static Digest digestOf(byte[] bytes) throws Exception {
        return Digest.fromHash(Digest.Algorithm.SHA256, MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Appends {@code bytes} in one writer, in pieces of {@code piece} bytes. */
    protected static void append(BlobStore store, String id, byte[] bytes, int from, int to, int piece)
            throws Exception {
        try (BlobStore.UploadWriter w = store.appendTo(id)) {
            for (int off = from; off < to; off += piece) {
                w.write(ByteBuffer.wrap(bytes, off, Math.min(piece, to - off)));
            }
            assertThat(w.position()).isEqualTo(to);
        }
    }

    protected static byte[] readUpload(BlobStore store, String id) throws Exception {
        try (InputStream in = store.readUpload(id)) {
            return in.readAllBytes();
        }
    }

    protected static byte[] readBlob(BlobStore store, Digest d, long offset, long length) throws Exception {
        try (BlobContent c = store.open(d); InputStream in = c.stream(offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void smallUploadCommitAndRead() throws Exception {
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        assertThat(store.uploadSize(id)).isZero();
        try (BlobStore.UploadWriter w = store.appendTo(id)) {
            w.write(ByteBuffer.wrap("hello ".getBytes(StandardCharsets.UTF_8)));
            w.write(ByteBuffer.wrap("world".getBytes(StandardCharsets.UTF_8)));
            assertThat(w.position()).isEqualTo(11);
        }
        assertThat(store.uploadSize(id)).isEqualTo(11);
        Digest d = Digest.sha256("hello world");
        assertThat(store.size(d)).isEmpty();
        store.commitUpload(id, d);
        assertThat(store.uploadSize(id)).isEqualTo(-1);
        assertThat(store.size(d)).hasValue(11);
        assertThat(store.readAll(d, 100)).asString(StandardCharsets.UTF_8).isEqualTo("hello world");
        assertThat(readBlob(store, d, 6, 5)).asString(StandardCharsets.UTF_8).isEqualTo("world");
        try (BlobContent c = store.open(d)) {
            assertThat(c.size()).isEqualTo(11);
        }
    }

    @Test
    void largeUploadInManyChunksOfEverySizeIsReadBackExactly() throws Exception {
        byte[] data = random(13 * MIB + 12345, 1);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        // Chunks as clients send them: tiny, odd, exactly a part, and larger than a part.
        int[] cuts = {1, 100, 3 * MIB, 3 * MIB + 1, 5 * MIB, 11 * MIB + 7, data.length};
        int from = 0;
        for (int to : cuts) {
            append(store, id, data, from, to, 64 * 1024 + 3);
            assertThat(store.uploadSize(id)).isEqualTo(to);
            from = to;
        }
        // What the registry rehashes when a chunk arrives at a node that did not see the others.
        assertThat(readUpload(store, id)).isEqualTo(data);
        Digest d = digestOf(data);
        store.commitUpload(id, d);
        assertThat(store.size(d)).hasValue(data.length);
        assertThat(digestOf(readBlob(store, d, 0, data.length))).isEqualTo(d);
        assertThat(readBlob(store, d, 5 * MIB - 10, 20)).isEqualTo(Arrays.copyOfRange(data, 5 * MIB - 10, 5 * MIB + 10));
        assertThat(readBlob(store, d, data.length - 1, 1)).containsExactly(data[data.length - 1]);
    }

    @Test
    void truncateUndoesAPartialAppendEvenPastAPartBoundary() throws Exception {
        byte[] data = random(9 * MIB, 2);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        append(store, id, data, 0, 3 * MIB, MIB);
        try (BlobStore.UploadWriter w = store.appendTo(id)) {
            w.write(ByteBuffer.wrap(data, 3 * MIB, 6 * MIB));
            w.truncate(3 * MIB); // the chunk was refused: the upload is as it was before it
            assertThat(w.position()).isEqualTo(3 * MIB);
        }
        assertThat(store.uploadSize(id)).isEqualTo(3 * MIB);
        assertThat(readUpload(store, id)).isEqualTo(Arrays.copyOf(data, 3 * MIB));
        append(store, id, data, 3 * MIB, 9 * MIB, 2 * MIB);
        try (BlobStore.UploadWriter w = store.appendTo(id)) {
            w.truncate(7 * MIB + 5); // a cut inside what earlier writers stored
        }
        assertThat(readUpload(store, id)).isEqualTo(Arrays.copyOf(data, 7 * MIB + 5));
    }

    @Test
    void anEmptyUploadCommitsAnEmptyBlob() throws Exception {
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        try (BlobStore.UploadWriter w = store.appendTo(id)) {
            assertThat(w.position()).isZero();
        }
        Digest empty = Digest.sha256("");
        store.commitUpload(id, empty);
        assertThat(store.size(empty)).hasValue(0);
        assertThat(store.readAll(empty, 10)).isEmpty();
        assertThat(readBlob(store, empty, 0, 0)).isEmpty();
    }

    @Test
    void committingABlobThatExistsKeepsTheExistingOne() throws Exception {
        byte[] content = "same bytes".getBytes(StandardCharsets.UTF_8);
        Digest d = digestOf(content);
        store.putVerified(d, content);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        append(store, id, content, 0, content.length, 4);
        store.commitUpload(id, d);
        assertThat(store.uploadSize(id)).isEqualTo(-1);
        assertThat(store.readAll(d, 100)).isEqualTo(content);
    }

    @Test
    void missingThingsAnswerAsMissing() throws Exception {
        Digest absent = Digest.sha256("absent");
        assertThat(store.size(absent)).isEmpty();
        assertThat(store.open(absent)).isNull();
        assertThat(store.readAll(absent, 10)).isNull();
        assertThat(store.delete(absent)).isFalse();
        String id = UUID.randomUUID().toString();
        assertThat(store.uploadSize(id)).isEqualTo(-1);
        assertThat(store.deleteUpload(id)).isFalse();
    }

    @Test
    void manifestsAreStoredReadAndDeleted() throws Exception {
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest d = digestOf(manifest);
        store.putVerified(d, manifest);
        store.putVerified(d, manifest); // idempotent
        assertThat(store.readAll(d, 1000)).isEqualTo(manifest);
        assertThatThrownBy(() -> store.readAll(d, 5)).hasMessageContaining("larger than");
        assertThat(store.delete(d)).isTrue();
        assertThat(store.size(d)).isEmpty();
    }

    /** Garbage collection's bulk delete: every named blob goes, absent ones are no error, others stay. */
    @Test
    void deleteAllRemovesEveryNamedBlobAndNoOther() throws Exception {
        List<Digest> doomed = new java.util.ArrayList<>();
        for (int i = 0; i < 1_005; i++) { // past S3's 1,000 keys per DeleteObjects
            byte[] b = ("doomed " + i).getBytes(StandardCharsets.UTF_8);
            store.putVerified(digestOf(b), b);
            doomed.add(digestOf(b));
        }
        byte[] kept = "kept".getBytes(StandardCharsets.UTF_8);
        store.putVerified(digestOf(kept), kept);
        Digest absent = digestOf("absent".getBytes(StandardCharsets.UTF_8));
        List<Digest> asked = new java.util.ArrayList<>(doomed);
        asked.add(absent);
        assertThat(store.deleteAll(asked)).containsAll(doomed);
        for (Digest d : doomed) {
            assertThat(store.size(d)).isEmpty();
        }
        assertThat(store.readAll(digestOf(kept), 100)).isEqualTo(kept);
        assertThat(store.deleteAll(List.of())).isEmpty();
    }

    @Test
    void deletingAnUploadDiscardsItsBytes() throws Exception {
        byte[] data = random(6 * MIB, 3);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        append(store, id, data, 0, data.length, MIB);
        assertThat(store.deleteUpload(id)).isTrue();
        assertThat(store.uploadSize(id)).isEqualTo(-1);
        assertThat(store.deleteUpload(id)).isFalse();
    }

    @Test
    void uploadIdsThatAreNotCanonicalUuidsAreRefused() {
        for (String id : List.of("../../etc/passwd", "..", "abc", UUID.randomUUID().toString().toUpperCase())) {
            assertThatThrownBy(() -> store.createUpload(id)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
