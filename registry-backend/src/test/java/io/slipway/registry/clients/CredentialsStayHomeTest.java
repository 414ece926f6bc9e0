package io.slipway.registry.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import io.slipway.oci.client.RegistryClient;
import io.slipway.registry.config.StoreSettings;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.S3Server;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * oci-core's registry client against a real registry with token auth whose blob GETs redirect to pre-signed
 * S3Proxy URLs ({@code storage.redirect}): the pull follows the redirect to the other origin without the
 * registry's bearer token (S3 refuses a request carrying both a signature and an Authorization header), and
 * credentials are never sent over plain HTTP to a host that is not loopback.
 */
class CredentialsStayHomeTest {
    @TempDir
    Path dir;

    @Test
    void aPullRedirectedToTheObjectStoreCarriesNoAuthorization() throws Exception {
        var s3 = S3Server.shared().newBucket(5 << 20, Duration.ofMinutes(10));
        IamFixture iam = new IamFixture(dir.resolve("data"), false,
                c -> c.withStores(new StoreSettings(StoreSettings.S3, s3, StoreSettings.SQLITE, null)));
        try {
            RegistryClient client = new RegistryClient(iam.server.uri().toString(), "iamapikey", iam.keys.get("writer"));
            byte[] layer = new byte[200_000];
            new Random(5).nextBytes(layer);
            Digest digest = client.uploadBlob("acme-dev/app", layer);
            // The registry answers 307 to a pre-signed URL of another origin (S3Proxy's port): RedirectedBlobPullTest.
            assertThat(client.blob("acme-dev/app", digest)).isEqualTo(layer);
        } finally {
            iam.server.close();
        }
    }

    @Test
    void credentialsGoOverPlainHttpOnlyToLoopback() {
        // 192.0.2.1 is TEST-NET-1: nothing answers there, and nothing is sent, because the client refuses first.
        RegistryClient remote = new RegistryClient("http://192.0.2.1:5000", "iamapikey", "slw_secret");
        assertThatThrownBy(() -> remote.manifest("team/app", "latest")).isInstanceOf(IOException.class)
                .hasMessageContaining("refusing to send credentials over plain HTTP to http://192.0.2.1:5000");
    }

    /**
     * Blobs are streamed (RegistryClient.blobTo): one larger than what the client keeps in memory arrives in a file
     * whole, {@code blob()} refuses it rather than filling the heap, and a blob whose stored bytes were damaged fails
     * its digest check with no file (and no partial file) left behind.
     */
    @Test
    void blobsAreStreamedAndADamagedOneLeavesNoFile() throws Exception {
        IamFixture iam = new IamFixture(dir.resolve("data"));
        try {
            RegistryClient client = new RegistryClient(iam.server.uri().toString(), "iamapikey", iam.keys.get("writer"));
            byte[] large = new byte[(int) RegistryClient.MAX_BLOB_IN_MEMORY + (1 << 20)];
            new Random(7).nextBytes(large);
            Digest digest = client.uploadBlob("acme-dev/app", large);
            large = null; // what follows must not need it in memory
            java.nio.file.Path got = dir.resolve("got/layer");
            java.nio.file.Files.createDirectories(got.getParent());
            client.blobTo("acme-dev/app", digest, got);
            try (var in = java.nio.file.Files.newInputStream(got)) {
                java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
                in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), sha));
                assertThat(Digest.fromHash(Digest.Algorithm.SHA256, sha.digest())).isEqualTo(digest);
            }
            assertThatThrownBy(() -> client.blob("acme-dev/app", digest)).isInstanceOf(IOException.class)
                    .hasMessageContaining("is larger than 32 MiB").hasMessageContaining("blobTo");

            byte[] small = new byte[100_000];
            new Random(8).nextBytes(small);
            Digest smallDigest = client.uploadBlob("acme-dev/app", small);
            java.nio.file.Path stored;
            try (var files = java.nio.file.Files.walk(dir.resolve("data"))) {
                stored = files.filter(p -> p.getFileName().toString().equals(smallDigest.hex())).findFirst().orElseThrow();
            }
            try (var channel = java.nio.channels.FileChannel.open(stored, java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) ~small[0]}), 0); // same length, other bytes
            }
            java.nio.file.Path damaged = dir.resolve("got/damaged");
            assertThatThrownBy(() -> client.blobTo("acme-dev/app", smallDigest, damaged)).isInstanceOf(IOException.class)
                    .hasMessageContaining("does not match its digest");
            try (var left = java.nio.file.Files.list(dir.resolve("got"))) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactly("layer");
            }
        } finally {
            iam.server.close();
        }
    }
}
