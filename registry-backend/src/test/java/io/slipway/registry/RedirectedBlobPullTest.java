package io.slipway.registry;

import static io.slipway.testing.RegistryHttp.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import io.slipway.testing.RegistryHttp;
import io.slipway.registry.testing.S3Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code storage.redirect} set, a blob GET is answered with a redirect to a pre-signed URL of
 * the object store, which serves the bytes (and ranges) itself; HEAD and everything else stay on
 * the node. Blobs on S3 with metadata in the embedded SQLite is a valid combination too.
 */
class RedirectedBlobPullTest {
    @TempDir
    Path dir;

    @Test
    void aBlobGetIsRedirectedToTheObjectStore() throws Exception {
        var s3 = S3Server.shared().newBucket(5 << 20, Duration.ofMinutes(10));
        RegistryConfig config = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0").withDataDir(dir)
                .withStores(new StoreSettings(StoreSettings.S3, s3, StoreSettings.SQLITE, null));
        try (RegistryServer server = RegistryServer.start(config)) {
            RegistryHttp http = new RegistryHttp(server.uri());
            byte[] layer = new byte[300_000];
            new Random(3).nextBytes(layer);
            Digest digest = http.pushBlob("team/app", layer);

            HttpResponse<byte[]> get = http.get("/v2/team/app/blobs/" + digest);
            assertThat(get.statusCode()).as(text(get)).isEqualTo(307);
            assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
            URI location = URI.create(get.headers().firstValue("Location").orElseThrow());
            assertThat(location.getPort()).isEqualTo(S3Server.shared().endpoint().getPort());

            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<byte[]> direct = client.send(HttpRequest.newBuilder(location).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(direct.statusCode()).isEqualTo(200);
            assertThat(direct.body()).isEqualTo(layer);
            HttpResponse<byte[]> range = client.send(HttpRequest.newBuilder(location).header("Range", "bytes=10-19")
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(Arrays.copyOfRange(layer, 10, 20));

            HttpResponse<byte[]> head = http.head("/v2/team/app/blobs/" + digest);
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(layer.length));
            // A blob the repository may not read is refused by the node, never redirected.
            assertThat(http.get("/v2/team/other/blobs/" + digest).statusCode()).isEqualTo(404);
        }
    }
}
