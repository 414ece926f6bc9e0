package io.slipway.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemBlobStoreTest {
    @TempDir
    Path root;

    @Test
    void uploadCommitAndRead() throws Exception {
        FileSystemBlobStore store = new FileSystemBlobStore(root);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        try (BlobStore.UploadWriter w = store.appendTo(id)) {
            w.write(ByteBuffer.wrap("hello ".getBytes(StandardCharsets.UTF_8)));
            w.write(ByteBuffer.wrap("world".getBytes(StandardCharsets.UTF_8)));
            assertThat(w.position()).isEqualTo(11);
        }
        Digest d = Digest.sha256("hello world");
        store.commitUpload(id, d);
        assertThat(store.uploadSize(id)).isEqualTo(-1);
        assertThat(store.size(d)).hasValue(11);
        assertThat(store.readAll(d, 100)).asString(StandardCharsets.UTF_8).isEqualTo("hello world");
        try (BlobContent c = store.open(d); var in = c.stream(6, 5)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("world");
        }
        assertThat(Files.exists(root.resolve("blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex()))).isTrue();
    }

    @Test
    void uploadIdsThatAreNotCanonicalUuidsNeverNameAFile() throws Exception {
        FileSystemBlobStore store = new FileSystemBlobStore(root);
        for (String id : List.of("../../etc/passwd", "..", "abc", UUID.randomUUID().toString().toUpperCase())) {
            assertThatThrownBy(() -> store.createUpload(id)).isInstanceOf(IllegalArgumentException.class);
        }
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void concurrentCommitsOfTheSameBlobAreSafe() throws Exception {
        FileSystemBlobStore store = new FileSystemBlobStore(root);
        byte[] content = new byte[1 << 20];
        new java.util.Random(7).nextBytes(content);
        Digest d = Digest.sha256(content);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> {
                    String id = UUID.randomUUID().toString();
                    store.createUpload(id);
                    try (BlobStore.UploadWriter w = store.appendTo(id)) {
                        w.write(ByteBuffer.wrap(content));
                    }
                    store.commitUpload(id, d);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.readAll(d, content.length)).isEqualTo(content);
        try (Stream<Path> uploads = Files.list(root.resolve("uploads"))) {
            assertThat(uploads).isEmpty();
        }
    }
}
