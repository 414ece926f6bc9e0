package io.slipway.registry.lifecycle;

import static io.slipway.testing.RegistryHttp.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.storage.S3Settings;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the garbage collection tests share: their one-layer images, the listing of what the blob store
 * really holds (from the files or the bucket, not from the registry's own books), and the bit-exact
 * pull of every tagged image.
 */
final class GcImages {
    static final byte[] CONFIG = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);

    private GcImages() {
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The manifest of the image of CONFIG and this one layer. */
    static String manifest(byte[] layer) {
        return Images.imageManifest(Digest.sha256(CONFIG), CONFIG.length, Digest.sha256(layer), layer.length);
    }

    /**
     * The digests the blob store holds with their sizes, listed from the bucket ({@code client} of {@code s3})
     * or, when {@code client} is null, from the files under {@code data/blobs}. A sweep may delete while this
     * lists: a file or folder gone between being listed and being read is simply not stored any more
     * ({@code Files.walk} would throw on it).
     */
    static Map<String, Long> stored(S3Client client, S3Settings s3, Path data) throws IOException {
        Map<String, Long> digests = new HashMap<>();
        if (client != null) {
            client.listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix("blobs/")).contents()
                    .forEach(o -> digests.put("sha256:" + o.key().substring(o.key().lastIndexOf('/') + 1), o.size()));
            digests.remove("sha256:"); // S3Proxy's file system lists its folders too
            return digests;
        }
        Files.walkFileTree(data.resolve("blobs"), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    digests.put("sha256:" + f.getFileName(), a.size());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return digests;
    }

    /**
     * Puts bytes straight into the blob store ({@code client} of {@code s3}, or the files under {@code data}
     * when it is null), past the registry and so its ledger, as a digest stored before migration V8.
     */
    static Digest place(S3Client client, S3Settings s3, Path data, byte[] content) throws IOException {
        Digest d = Digest.sha256(content);
        String key = "blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex();
        if (client != null) {
            client.putObject(b -> b.bucket(s3.bucket()).key(key), RequestBody.fromBytes(content));
        } else {
            Path file = data.resolve(key);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        }
        return d;
    }

    /** Every image of {@code tagged} ("repo:tag" to its layer) pulls bit-exact: manifest, config and layer. */
    static void assertPullsBitExact(RegistryHttp http, Map<String, byte[]> tagged) {
        for (Map.Entry<String, byte[]> e : tagged.entrySet()) {
            String repo = e.getKey().substring(0, e.getKey().indexOf(':'));
            String tag = e.getKey().substring(e.getKey().indexOf(':') + 1);
            HttpResponse<byte[]> m = http.get("/v2/" + repo + "/manifests/" + tag, "Accept", MediaTypes.OCI_MANIFEST);
            assertThat(m.statusCode()).as(e.getKey() + " " + text(m)).isEqualTo(200);
            assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo(manifest(e.getValue()));
            for (byte[] blob : List.of(CONFIG, e.getValue())) {
                HttpResponse<byte[]> r = http.get("/v2/" + repo + "/blobs/" + Digest.sha256(blob));
                assertThat(r.statusCode()).as(e.getKey() + " " + text(r)).isEqualTo(200);
                assertThat(r.body()).isEqualTo(blob);
            }
        }
    }
}
