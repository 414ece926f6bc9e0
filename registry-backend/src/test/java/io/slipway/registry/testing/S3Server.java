package io.slipway.registry.testing;

import io.slipway.registry.storage.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-protocol server for tests: S3Proxy (from Maven Central) over jclouds' filesystem
 * provider in a temporary directory, on a free loopback port, with signed (V4) requests. One per
 * test JVM; each test takes a bucket of its own.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "slipway-test";
    public static final String SECRET_KEY = "slipway-test-secret";
    private static S3Server shared;

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final Path dir;
    private final URI endpoint;

    private S3Server() throws Exception {
        dir = Files.createTempDirectory("slipway-s3");
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(props)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                // As S3 does, take the SDK's flexible checksum headers (x-amz-checksum-crc32, which it
                // sends with every DeleteObjects): S3Proxy 2.6 refuses a request naming a header it does
                // not know with 501 Not Implemented, and the blob store would fall back to one DELETE per key.
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(20);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    /**
     * A server of its own, for a program that must end when it is done (a benchmark's main):
     * S3Proxy's Jetty threads are not daemons, so an unclosed server keeps the JVM alive.
     */
    public static S3Server startPrivate() throws Exception {
        return new S3Server();
    }

    /** Stops the proxy and its threads and deletes its files; idempotent. */
    @Override
    public synchronized void close() {
        try {
            proxy.stop();
        } catch (Exception ignored) {
            // already stopped, or the JVM is going away
        }
        context.close();
        TempDirs.deleteQuietly(dir);
    }

    public static synchronized S3Server shared() throws Exception {
        if (shared == null) {
            shared = new S3Server();
        }
        return shared;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Settings for a new, empty bucket of this server. */
    public S3Settings newBucket(int partSize) {
        return newBucket(partSize, null);
    }

    /** Settings for a new, empty bucket, with blob GETs redirected to pre-signed URLs valid for {@code redirect}. */
    public S3Settings newBucket(int partSize, java.time.Duration redirect) {
        String bucket = "t-" + UUID.randomUUID().toString().substring(0, 18);
        S3Settings settings = new S3Settings(bucket, endpoint, "us-east-1", true, ACCESS_KEY, SECRET_KEY, partSize,
                redirect);
        try (S3Client client = settings.client()) {
            client.createBucket(b -> b.bucket(bucket));
        }
        return settings;
    }
}
