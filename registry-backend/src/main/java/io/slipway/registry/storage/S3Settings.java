package io.slipway.registry.storage;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Where an S3-compatible object store is and how to reach it.
 *
 * @param endpoint  null for AWS itself; the URL of MinIO, Ceph RGW, S3Proxy and the like otherwise
 * @param pathStyle {@code http://host/bucket/key} addressing, which most self-hosted stores need
 * @param accessKey with {@code secretKey}: static credentials; null: the SDK's default chain
 *                  (environment, profile, instance or pod role)
 * @param partSize  bytes per stored segment and multipart part (at least 5 MiB, S3's minimum);
 *                  also the most memory one upload in progress holds
 * @param redirect  how long a pre-signed URL that blob GETs are redirected to stays valid; null:
 *                  no redirects, every pull streams through the node
 */
public record S3Settings(String bucket, URI endpoint, String region, boolean pathStyle, String accessKey,
        String secretKey, int partSize, Duration redirect) {

    /** 10,000 parts (S3's most) of this size cover the default 64 GiB upload limit. */
    public static final int DEFAULT_PART_SIZE = 8 << 20;
    /** Concurrent requests to the store; blob GETs stream, so each pull holds one while it runs. */
    private static final int MAX_CONNECTIONS = 128;

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("storage.bucket is required for the s3 driver");
        }
        if (region == null || region.isBlank()) {
            region = "us-east-1";
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("storage.accessKey and storage.secretKey go together");
        }
        if (partSize < S3UploadArea.MIN_PART) {
            throw new IllegalArgumentException("storage.partSize must be at least 5 MiB (S3's part minimum)");
        }
        if (redirect != null && (redirect.isNegative() || redirect.isZero() || redirect.toDays() >= 7)) {
            throw new IllegalArgumentException("storage.redirect must be more than 0 and less than 7 days");
        }
    }

    private AwsCredentialsProvider credentials() {
        return accessKey != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey))
                : DefaultCredentialsProvider.builder().build();
    }

    /** A client for these settings; the caller closes it. */
    public S3Client client() {
        var builder = S3Client.builder()
                .region(Region.of(region))
                .forcePathStyle(pathStyle)
                .credentialsProvider(credentials())
                // Checksums only where the API demands them: the registry verifies digests itself,
                // and many S3-compatible servers do not accept the newer trailing checksums.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    /** Signs GET URLs for the same bucket, endpoint and credentials; null when redirects are off. */
    S3Presigner presigner() {
        if (redirect == null) {
            return null;
        }
        var builder = S3Presigner.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "S3Settings[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region + ", pathStyle="
                + pathStyle + ", accessKey=" + (accessKey == null ? "(default chain)" : accessKey) + ", partSize="
                + partSize + ", redirect=" + redirect + "]";
    }
}
