package io.slipway.registry.clients;

import io.slipway.testing.RegistryHttp;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import io.slipway.registry.testing.Images;
import io.slipway.registry.testing.PostgresServer;
import io.slipway.registry.testing.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo against two nodes over one PostgreSQL and one S3 bucket, with blob GETs redirected to the
 * object store: an image pulled through one node (following the redirects) and pushed through the
 * other (its uploads stored as S3 segments) is then pulled bit for bit.
 */
class SkopeoScaleOutTest {
    @TempDir
    Path tmp;

    @Test
    void copiesBetweenNodesThroughTheSharedStores() throws Exception {
        SkopeoRunner skopeo = new SkopeoRunner(tmp.resolve("skopeo"));
        StoreSettings stores = new StoreSettings(StoreSettings.S3,
                S3Server.shared().newBucket(5 << 20, Duration.ofMinutes(10)), StoreSettings.POSTGRES,
                PostgresServer.shared().newDatabase(4));
        RegistryConfig config = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0").withStores(stores);
        try (RegistryServer a = RegistryServer.start(config.withDataDir(tmp.resolve("a")));
                RegistryServer b = RegistryServer.start(config.withDataDir(tmp.resolve("b")))) {
            io.slipway.testing.RegistryHttp http = new io.slipway.testing.RegistryHttp(a.uri());
            byte[] data = new byte[7 * 1024 * 1024 + 11];
            new Random(5).nextBytes(data);
            // Really gzip (skopeo would otherwise compress it on the way); random data stays over one S3 part.
            java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
            try (var out = new java.util.zip.GZIPOutputStream(gz)) {
                out.write(data);
            }
            byte[] layer = gz.toByteArray();
            byte[] config1 = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
            Digest layerDigest = http.pushBlob("team/src", layer);
            Digest configDigest = http.pushBlob("team/src", config1);
            String manifest = Images.imageManifest(configDigest, config1.length, layerDigest, layer.length);
            Digest manifestDigest = http.pushManifest("team/src", "v1", MediaTypes.OCI_MANIFEST, manifest);

            String nodeA = "docker://127.0.0.1:" + a.port();
            String nodeB = "docker://127.0.0.1:" + b.port();
            skopeo.ok("copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                    nodeA + "/team/src:v1", nodeB + "/team/dst:v1");
            Path out = tmp.resolve("out");
            skopeo.ok("copy", "--src-tls-verify=false", nodeA + "/team/dst:v1", "dir:" + out);

            assertThat(Files.readString(out.resolve("manifest.json"))).isEqualTo(manifest);
            assertThat(Files.readAllBytes(out.resolve(layerDigest.hex()))).isEqualTo(layer);
            assertThat(Files.readAllBytes(out.resolve(configDigest.hex()))).isEqualTo(config1);
            assertThat(new RegistryHttp(b.uri()).manifest("team/dst", "v1").headers()
                    .firstValue("Docker-Content-Digest")).hasValue(manifestDigest.toString());
        }
    }
}
