package io.slipway.registry.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.slipway.oci.Digest;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.metadata.SqlMetadataStore;
import io.slipway.registry.metadata.SqliteDatabase;
import io.slipway.registry.storage.FileSystemBlobStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz test of a manifest push through {@link ManifestService#put} on the real stores (files and
 * SQLite): a push is accepted, and then readable as it was sent, or refused with an
 * {@link OciError}; nothing else may escape. Sparse manifests are allowed, so that a fuzzed
 * manifest whose blobs the fuzzer cannot hash still reaches the recording code.
 */
class ManifestServiceFuzzTest {
    private static final String REPO = "fuzz/app";

    private static Path dir;
    private static MetadataStore metadata;
    private static FileSystemBlobStore blobs;
    private static ManifestService manifests;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("manifest-fuzz");
        metadata = new SqlMetadataStore(new SqliteDatabase(dir.resolve("metadata.db")), true);
        blobs = new FileSystemBlobStore(dir.resolve("blobs"));
        Limits limits = new Limits(4 * 1024 * 1024, 255, 1L << 30, 0, Duration.ofHours(1), 100, true);
        manifests = new ManifestService(blobs, metadata, limits, Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        metadata.close();
        blobs.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The input is {@code <reference>\0<Content-Type>\0<manifest>}; with one NUL the Content-Type is
     * absent, with none the whole input is the manifest pushed as {@code latest}.
     */
    @FuzzTest
    void put(byte[] input) throws Exception {
        int first = indexOf(input, 0);
        int second = first < 0 ? -1 : indexOf(input, first + 1);
        String reference = first < 0 ? "latest" : text(input, 0, first);
        String contentType = second < 0 ? null : text(input, first + 1, second);
        byte[] content = Arrays.copyOfRange(input, second >= 0 ? second + 1 : first + 1, input.length);

        ManifestService.Pushed pushed;
        try {
            pushed = manifests.put(REPO, reference, contentType, content);
        } catch (OciError refused) {
            assertThat(refused.code()).isNotNull();
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        Digest digest = pushed.digest();
        assertThat(digest.matches(content)).isTrue();
        ManifestRecord record = metadata.manifest(REPO, digest).orElseThrow();
        assertThat(record.size()).isEqualTo(content.length);
        assertThat(record.totalSize()).as("the image size counts the manifest").isGreaterThanOrEqualTo(content.length);
        assertThat(manifests.get(REPO, digest.toString()).content()).isEqualTo(content);
        for (String tag : pushed.tags()) {
            assertThat(manifests.head(REPO, tag).digest()).isEqualTo(digest);
        }
        assertThat(pushed.tags()).isEqualTo(Digest.looksLikeDigest(reference) ? List.of() : List.of(reference));
    }

    private static String text(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
