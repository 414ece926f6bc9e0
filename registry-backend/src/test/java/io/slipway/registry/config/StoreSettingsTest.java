package io.slipway.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code registry serve --config} chooses the stores. */
class StoreSettingsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path FILE = Path.of("slipway.yaml");

    @TempDir
    Path dir;

    private static StoreSettings parse(String yaml, Map<String, String> env) throws IOException {
        JsonNode root = YAML.readTree(yaml);
        return StoreSettings.parse(FILE, root.get("storage"), root.get("metadata"), env);
    }

    @Test
    void withoutStoreSectionsTheEmbeddedDefaultIsUnchanged() throws IOException {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "listen: 127.0.0.1:5001\n");
        RegistryConfig c = RegistryConfig.load(file);
        assertThat(c.stores()).isEqualTo(StoreSettings.defaults());
        assertThat(c.stores().storage()).isEqualTo("filesystem");
        assertThat(c.stores().metadata()).isEqualTo("sqlite");
        assertThat(RegistryConfig.defaults().stores()).isEqualTo(StoreSettings.defaults());
        assertThat(c.withListen("127.0.0.1:0").withDataDir(dir).stores()).isEqualTo(StoreSettings.defaults());
    }

    @Test
    void s3AndPostgresAreReadWithSecretsFromTheEnvironment() throws IOException {
        StoreSettings s = parse("""
                storage: {driver: s3, bucket: images, endpoint: "http://minio:9000", pathStyle: true, accessKey: AK}
                metadata: {driver: postgres, url: "jdbc:postgresql://db:5432/slipway", user: slipway, poolSize: 4}
                """, Map.of("SLIPWAY_S3_SECRET_KEY", "s3-secret-9f", "SLIPWAY_POSTGRES_PASSWORD", "pg-secret-7c"));
        assertThat(s.shared()).isTrue();
        assertThat(s.s3().bucket()).isEqualTo("images");
        assertThat(s.s3().endpoint()).isEqualTo(URI.create("http://minio:9000"));
        assertThat(s.s3().region()).isEqualTo("us-east-1");
        assertThat(s.s3().accessKey()).isEqualTo("AK");
        assertThat(s.s3().secretKey()).isEqualTo("s3-secret-9f");
        assertThat(s.postgres().password()).isEqualTo("pg-secret-7c");
        assertThat(s.postgres().poolSize()).isEqualTo(4);
        assertThat(s.toString()).doesNotContain("s3-secret-9f").doesNotContain("pg-secret-7c");
    }

    @Test
    void withoutKeysS3UsesTheSdkDefaultChain() throws IOException {
        StoreSettings s = parse("storage: {driver: s3, bucket: images}\n", Map.of());
        assertThat(s.s3().accessKey()).isNull();
        assertThat(s.s3().endpoint()).isNull();
        assertThat(s.metadata()).isEqualTo("sqlite");
    }

    @Test
    void mistakesAreReportedWithTheFileAndTheSetting() {
        assertThatThrownBy(() -> parse("storage: {driver: s3, bucket: b, bukket: x}\n", Map.of()))
                .hasMessageContaining("slipway.yaml").hasMessageContaining("storage.bukket");
        assertThatThrownBy(() -> parse("storage: {driver: s3}\n", Map.of())).hasMessageContaining("bucket");
        assertThatThrownBy(() -> parse("storage: {driver: gcs}\n", Map.of())).hasMessageContaining("filesystem or s3");
        assertThatThrownBy(() -> parse("metadata: {driver: postgres, url: \"mysql://x\"}\n", Map.of()))
                .hasMessageContaining("jdbc:postgresql");
        assertThatThrownBy(() -> parse("storage: {driver: s3, bucket: b, accessKey: a}\n", Map.of()))
                .hasMessageContaining("go together");
        assertThatThrownBy(() -> parse("storage: {driver: s3, bucket: b, partSize: 1024}\n", Map.of()))
                .hasMessageContaining("5 MiB");
    }
}
