package io.slipway.registry.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.registry.metadata.PostgresSettings;
import io.slipway.registry.storage.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Which stores the registry runs on: the embedded default (blobs in the data directory, metadata
 * in SQLite), or shared ones for several nodes (an S3-compatible bucket, PostgreSQL).
 *
 * <pre>
 * storage:
 *   driver: s3                 # or filesystem (the default)
 *   bucket: slipway
 *   endpoint: http://minio:9000  # omit for AWS
 *   region: us-east-1
 *   pathStyle: true
 *   accessKey: …               # or SLIPWAY_S3_ACCESS_KEY; without keys, the SDK's default chain
 *   secretKey: …               # or SLIPWAY_S3_SECRET_KEY
 *   partSize: 8388608
 *   redirect: 20m              # blob GETs answer 307 to a pre-signed URL valid this long (default off)
 * metadata:
 *   driver: postgres           # or sqlite (the default)
 *   url: jdbc:postgresql://db:5432/slipway
 *   user: slipway
 *   password: …                # or SLIPWAY_POSTGRES_PASSWORD
 *   poolSize: 16
 * </pre>
 *
 * @param s3       the bucket, when {@code storage} is {@code s3}; else null
 * @param postgres the database, when {@code metadata} is {@code postgres}; else null
 */
public record StoreSettings(String storage, S3Settings s3, String metadata, PostgresSettings postgres) {
    public static final String FILESYSTEM = "filesystem";
    public static final String S3 = "s3";
    public static final String SQLITE = "sqlite";
    public static final String POSTGRES = "postgres";

    public StoreSettings {
        if (S3.equals(storage) != (s3 != null) || !(FILESYSTEM.equals(storage) || S3.equals(storage))) {
            throw new IllegalArgumentException("storage.driver must be filesystem or s3 (with its settings)");
        }
        if (POSTGRES.equals(metadata) != (postgres != null) || !(SQLITE.equals(metadata) || POSTGRES.equals(metadata))) {
            throw new IllegalArgumentException("metadata.driver must be sqlite or postgres (with its settings)");
        }
    }

    public static StoreSettings defaults() {
        return new StoreSettings(FILESYSTEM, null, SQLITE, null);
    }

    /** Whether several nodes can share these stores (nothing is kept on the node itself). */
    public boolean shared() {
        return s3 != null && postgres != null;
    }

    /** Reads the {@code storage} and {@code metadata} sections of a configuration file. */
    static StoreSettings parse(Path file, JsonNode storage, JsonNode metadata, Map<String, String> env)
            throws IOException {
        StoreSettings d = defaults();
        String storageDriver = d.storage();
        S3Settings s3 = null;
        if (storage != null && !storage.isNull()) {
            requireObject(file, "storage", storage);
            storageDriver = storage.path("driver").asText(FILESYSTEM);
            if (S3.equals(storageDriver)) {
                checkKeys(file, "storage.", storage, Set.of("driver", "bucket", "endpoint", "region", "pathStyle",
                        "accessKey", "secretKey", "partSize", "redirect"));
                String accessKey = orElse(text(storage, "accessKey"), env.get("SLIPWAY_S3_ACCESS_KEY"));
                String secretKey = orElse(text(storage, "secretKey"), env.get("SLIPWAY_S3_SECRET_KEY"));
                s3 = invalidAsIo(file, () -> new S3Settings(text(storage, "bucket"),
                        storage.hasNonNull("endpoint") ? URI.create(storage.get("endpoint").asText()) : null,
                        text(storage, "region"), storage.path("pathStyle").asBoolean(true), accessKey, secretKey,
                        storage.path("partSize").asInt(S3Settings.DEFAULT_PART_SIZE),
                        storage.hasNonNull("redirect") ? RegistryConfig.duration(storage.get("redirect").asText()) : null));
            } else {
                checkKeys(file, "storage.", storage, Set.of("driver"));
            }
        }
        String metadataDriver = d.metadata();
        PostgresSettings postgres = null;
        if (metadata != null && !metadata.isNull()) {
            requireObject(file, "metadata", metadata);
            metadataDriver = metadata.path("driver").asText(SQLITE);
            if (POSTGRES.equals(metadataDriver)) {
                checkKeys(file, "metadata.", metadata, Set.of("driver", "url", "user", "password", "poolSize"));
                String password = orElse(text(metadata, "password"), env.get("SLIPWAY_POSTGRES_PASSWORD"));
                postgres = invalidAsIo(file, () -> new PostgresSettings(text(metadata, "url"), text(metadata, "user"),
                        password,
                        metadata.path("poolSize").asInt(PostgresSettings.DEFAULT_POOL_SIZE)));
            } else {
                checkKeys(file, "metadata.", metadata, Set.of("driver"));
            }
        }
        String sd = storageDriver;
        String md = metadataDriver;
        S3Settings s = s3;
        PostgresSettings p = postgres;
        return invalidAsIo(file, () -> new StoreSettings(sd, s, md, p));
    }

    /** The file's value, else the environment's (secrets are better kept out of the file). */
    private static String orElse(String fromFile, String fromEnv) {
        return fromFile != null ? fromFile : fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
    }

    private static String text(JsonNode node, String key) {
        return node.hasNonNull(key) ? node.get(key).asText() : null;
    }

    private static void requireObject(Path file, String key, JsonNode node) throws IOException {
        if (!node.isObject()) {
            throw new IOException(file + ": " + key + " must be a mapping with a driver");
        }
    }

    private static void checkKeys(Path file, String prefix, JsonNode node, Set<String> known) throws IOException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new IOException(file + ": unknown setting " + prefix + key);
            }
        }
    }

    private interface Build<T> {
        T build();
    }

    private static <T> T invalidAsIo(Path file, Build<T> build) throws IOException {
        try {
            return build.build();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
