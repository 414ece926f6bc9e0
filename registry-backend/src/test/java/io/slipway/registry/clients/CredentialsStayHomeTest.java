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
}
