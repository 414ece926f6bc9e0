package io.slipway.registry.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.metadata.SqlMetadataStore;
import io.slipway.registry.metadata.SqliteDatabase;
import io.slipway.registry.storage.BlobContent;
import io.slipway.registry.storage.BlobStore;
import io.slipway.registry.storage.FileSystemBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A process that dies at any point of a blob commit leaves either an upload that can still be
 * finished or a complete blob linked into its repository. A kill cannot be aimed at a point between
 * two calls, so the process "dies" by a {@link Crash} thrown at the seam (nothing after it runs),
 * and the next start is new stores and a new service over the same files and database.
 */
class UploadCommitCrashTest {
    private static final String REPO = "crash/commit";

    /** The process ends here: nothing after this point runs. */
    static final class Crash extends Error {
        Crash(Window w) {
            super("crash " + w);
        }
    }

    /** Where the process dies. */
    enum Window {
        BEFORE_PLACING, AFTER_PLACING_BEFORE_LINKING, AFTER_LINKING_BEFORE_REMOVING_THE_UPLOAD
    }

    @TempDir
    Path dir;

    private final Limits limits = new Limits(64 * 1024, 255, 32L << 20, 0, Duration.ofHours(1), 100);

    @ParameterizedTest
    @EnumSource(Window.class)
    void aCrashAtEachPointLeavesAResumableUploadOrALinkedBlob(Window window) throws Exception {
        byte[] bytes = new byte[300_000];
        new Random(window.ordinal()).nextBytes(bytes);
        Digest digest = Digest.sha256(bytes);
        String id;
        try (MetadataStore metadata = metadata(); FileSystemBlobStore files = new FileSystemBlobStore(dir.resolve("blobs"))) {
            UploadService uploads = new UploadService(new CrashingStore(files, window), metadata, limits, Clock.systemUTC());
            id = uploads.start(REPO, "someone").id();
            uploads.append(REPO, id, 0L, (long) bytes.length, body(bytes));
            assertThatThrownBy(() -> uploads.finish(REPO, id, digest, null, RequestBody.EMPTY)).isInstanceOf(Crash.class);
        }

        // The next start.
        try (MetadataStore metadata = metadata(); FileSystemBlobStore files = new FileSystemBlobStore(dir.resolve("blobs"))) {
            UploadService uploads = new UploadService(files, metadata, limits, Clock.systemUTC());
            if (window == Window.AFTER_LINKING_BEFORE_REMOVING_THE_UPLOAD) {
                assertThat(metadata.linkedBlobSize(REPO, digest)).hasValue(bytes.length);
                assertThatThrownBy(() -> uploads.status(REPO, id)).isInstanceOfSatisfying(OciError.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
                // The bytes the crash left behind go with the next sweep once they are older than the lifetime.
                assertThat(files.uploadSize(id)).isEqualTo(bytes.length);
                UploadService later = new UploadService(files, metadata, limits,
                        Clock.offset(Clock.systemUTC(), limits.uploadLifetime().plusMinutes(1)));
                assertThat(later.purgeAbandoned()).isEqualTo(1);
                assertThat(files.uploadSize(id)).isEqualTo(-1);
            } else {
                assertThat(metadata.linkedBlobSize(REPO, digest)).isEmpty();
                assertThat(uploads.status(REPO, id).size()).as("the upload resumes where it stood").isEqualTo(bytes.length);
                assertThat(uploads.finish(REPO, id, digest, (long) bytes.length, RequestBody.EMPTY)).isEqualTo(digest);
                assertThat(metadata.linkedBlobSize(REPO, digest)).hasValue(bytes.length);
                assertThat(files.uploadSize(id)).as("a finished upload's bytes are gone").isEqualTo(-1);
            }
            try (BlobContent content = files.open(digest); InputStream in = content.stream(0, content.size())) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
            // Nothing left over in the store's working folders.
            try (var tmp = Files.list(dir.resolve("blobs").resolve("tmp"))) {
                assertThat(tmp.toList()).isEmpty();
            }
        }
    }

    private MetadataStore metadata() {
        return new SqlMetadataStore(new SqliteDatabase(dir.resolve("metadata.db")), true);
    }

    private static RequestBody body(byte[] bytes) {
        return new RequestBody() {
            @Override
            public void forEach(BufferSink sink) throws IOException {
                sink.accept(ByteBuffer.wrap(bytes));
            }

            @Override
            public long length() {
                return bytes.length;
            }
        };
    }

    /** The real file store, with the process dying at one point of the commit. */
    private static final class CrashingStore implements BlobStore {
        private final BlobStore store;
        private final Window window;

        CrashingStore(BlobStore store, Window window) {
            this.store = store;
            this.window = window;
        }

        @Override
        public void placeUpload(String uploadId, Digest digest) throws IOException {
            if (window == Window.BEFORE_PLACING) {
                throw new Crash(window);
            }
            store.placeUpload(uploadId, digest);
            if (window == Window.AFTER_PLACING_BEFORE_LINKING) {
                throw new Crash(window);
            }
        }

        @Override
        public boolean deleteUpload(String uploadId) throws IOException {
            if (window == Window.AFTER_LINKING_BEFORE_REMOVING_THE_UPLOAD) {
                throw new Crash(window);
            }
            return store.deleteUpload(uploadId);
        }

        @Override
        public OptionalLong size(Digest digest) throws IOException {
            return store.size(digest);
        }

        @Override
        public BlobContent open(Digest digest) throws IOException {
            return store.open(digest);
        }

        @Override
        public byte[] readAll(Digest digest, int maxBytes) throws IOException {
            return store.readAll(digest, maxBytes);
        }

        @Override
        public void putVerified(Digest digest, byte[] content) throws IOException {
            store.putVerified(digest, content);
        }

        @Override
        public boolean delete(Digest digest) throws IOException {
            return store.delete(digest);
        }

        @Override
        public void createUpload(String uploadId) throws IOException {
            store.createUpload(uploadId);
        }

        @Override
        public long uploadSize(String uploadId) throws IOException {
            return store.uploadSize(uploadId);
        }

        @Override
        public UploadWriter appendTo(String uploadId) throws IOException {
            return store.appendTo(uploadId);
        }

        @Override
        public InputStream readUpload(String uploadId) throws IOException {
            return store.readUpload(uploadId);
        }

        @Override
        public List<String> uploadsWrittenBefore(Instant cutoff) throws IOException {
            return store.uploadsWrittenBefore(cutoff);
        }
    }
}
