package io.slipway.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import io.slipway.registry.testing.S3Server;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The blob store contract on an S3-compatible server that speaks the real protocol (S3Proxy), plus
 * what only a shared store has to get right: a second node continuing an upload, and the layout
 * of objects in the bucket.
 */
class S3BlobStoreTest extends BlobStoreContract {
    private static final int PART = 5 * MIB;
    private S3Settings settings;

    @Override
    protected BlobStore openStore() throws Exception {
        settings = S3Server.shared().newBucket(PART);
        return S3BlobStore.open(settings);
    }

    /** The objects under {@code prefix}, without the directory markers a file-backed server lists. */
    private List<S3Object> objects(String prefix) {
        try (S3Client client = settings.client()) {
            return client.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix)).contents()
                    .stream().filter(o -> !o.key().endsWith("/")).toList();
        }
    }

    @Test
    void blobsAreObjectsNamedByDigest() throws Exception {
        byte[] content = random(1000, 9);
        Digest d = digestOf(content);
        store.putVerified(d, content);
        assertThat(objects("blobs/")).extracting(S3Object::key)
                .containsExactly("blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex());
    }

    @Test
    void anUploadBegunOnOneNodeIsContinuedAndFinishedOnAnother() throws Exception {
        byte[] data = random(7 * MIB + 3, 4);
        String id = UUID.randomUUID().toString();
        try (S3BlobStore nodeB = S3BlobStore.open(settings)) {
            store.createUpload(id);
            append(store, id, data, 0, 3 * MIB, MIB);
            assertThat(nodeB.uploadSize(id)).isEqualTo(3 * MIB);
            append(nodeB, id, data, 3 * MIB, 6 * MIB + 1, MIB);
            append(store, id, data, 6 * MIB + 1, data.length, 100);
            assertThat(readUpload(nodeB, id)).isEqualTo(data);
            Digest d = digestOf(data);
            nodeB.commitUpload(id, d);
            assertThat(digestOf(readBlob(store, d, 0, data.length))).isEqualTo(d);
        }
        assertThat(objects("uploads/")).isEmpty();
    }

    @Test
    void smallChunksAreJoinedSoEveryPartButTheLastMeetsTheMinimum() throws Exception {
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        byte[] data = random(12 * MIB, 5);
        int chunk = 300 * 1024;
        for (int off = 0; off < data.length; off += chunk) {
            append(store, id, data, off, Math.min(off + chunk, data.length), chunk);
        }
        List<S3Object> stored = objects("uploads/" + id + "/").stream()
                .filter(o -> !o.key().endsWith("/state")).toList();
        // 12 MiB in 41 chunks: two full parts and a 2 MiB tail, no leftovers of rewritten tails.
        assertThat(stored).extracting(S3Object::size).containsExactlyInAnyOrder((long) PART, (long) PART, 2L * MIB);
        Digest d = digestOf(data);
        store.commitUpload(id, d);
        assertThat(store.size(d)).hasValue(data.length);
        assertThat(digestOf(readBlob(store, d, 0, data.length))).isEqualTo(d);
    }

    @Test
    void aPullAbandonedMidwayLeavesTheStoreUsable() throws Exception {
        byte[] data = random(6 * MIB, 8);
        Digest d = digestOf(data);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        append(store, id, data, 0, data.length, MIB);
        store.commitUpload(id, d);
        for (int i = 0; i < 20; i++) { // more than a few pooled connections' worth
            try (BlobContent c = store.open(d); var in = c.stream(0, data.length)) {
                assertThat(in.readNBytes(10)).isEqualTo(java.util.Arrays.copyOf(data, 10));
            }
        }
        assertThat(readBlob(store, d, 0, data.length)).isEqualTo(data);
    }

    @Test
    void withRedirectsABlobHasAPreSignedUrlThatServesItsBytes() throws Exception {
        byte[] content = random(70_000, 10);
        Digest d = digestOf(content);
        assertThat(store.open(Digest.sha256("x"))).isNull();
        store.putVerified(d, content);
        try (BlobContent plain = store.open(d)) {
            assertThat(plain.redirect()).as("redirects are off unless configured").isNull();
        }
        S3Settings redirecting = new S3Settings(settings.bucket(), settings.endpoint(), "us-east-1", true,
                S3Server.ACCESS_KEY, S3Server.SECRET_KEY, PART, java.time.Duration.ofMinutes(5));
        try (S3BlobStore node = S3BlobStore.open(redirecting); BlobContent c = node.open(d)) {
            java.net.URI url = c.redirect();
            assertThat(url.getRawQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=300");
            var http = java.net.http.HttpClient.newHttpClient();
            var response = http.send(java.net.http.HttpRequest.newBuilder(url).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(content);
            var tampered = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    url.toString().replace("X-Amz-Expires=300", "X-Amz-Expires=9000"))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(tampered.statusCode()).as("the signature covers the lifetime").isEqualTo(403);
        }
    }

    @Test
    void aMissingBucketIsReportedAtStart() {
        S3Settings missing = new S3Settings("no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8),
                settings.endpoint(), "us-east-1", true, S3Server.ACCESS_KEY, S3Server.SECRET_KEY, PART, null);
        assertThatThrownBy(() -> S3BlobStore.open(missing)).isInstanceOf(IOException.class)
                .hasMessageContaining("not reachable");
    }

    @Test
    void partsSmallerThanS3AllowsAreRefusedInTheSettings() {
        assertThatThrownBy(() -> new S3Settings("b", null, null, true, null, null, MIB, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 MiB");
    }
}
