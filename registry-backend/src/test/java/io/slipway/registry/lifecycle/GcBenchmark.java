package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.Stores;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.storage.BlobStore;
import io.slipway.registry.config.LifecycleSettings;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import io.slipway.registry.testing.Images;
import io.slipway.registry.testing.PostgresServer;
import io.slipway.registry.testing.S3Server;
import io.slipway.registry.testing.TempDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bench/gc-bench.sh}: garbage collection over IMAGES images of BLOBS_PER_IMAGE blobs each
 * (10,000 x 5 = 50,000 blobs, plus a manifest each) on SQLite + files and on PostgreSQL + S3Proxy.
 * Half the images are then deleted for good, so the sweep frees half of everything. Measured: the
 * sweep's duration (one {@code POST /api/v1/gc}; the walk of the blob store a database's first
 * sweep makes, once ever, is made in the set-up and its time printed apart), and the manifest-PUT latency at the client (one pusher, one PUT at a
 * time, a new manifest over blobs already stored) without a sweep and while the sweep runs.
 * Seeded in process through the registry's store classes and {@link ManifestService} (small blobs:
 * the sweep's work is per digest), then measured over HTTP against a server on those stores.
 */
public final class GcBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int blobsPerImage = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("gc-bench");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TempDirs.deleteQuietly(dir)));
        LifecycleSettings lifecycle = new LifecycleSettings(Duration.ofDays(30), Duration.ZERO, Duration.ZERO);
        RegistryConfig base = RegistryConfig.defaults().withListen("127.0.0.1:0").withAuth("none").withLifecycle(lifecycle);
        String stacks = args.length > 2 ? args[2] : "both";
        // Ends by itself whatever happens: S3Proxy's and the servers' threads are not daemons, and a run
        // that failed half-way was seen holding its PostgreSQL server for an hour.
        int status = 1;
        try {
            if (!stacks.equals("pg")) {
                run("SQLite + files", base.withDataDir(dir.resolve("sqlite")), images, blobsPerImage);
            }
            if (!stacks.equals("sqlite")) {
                run("PostgreSQL + S3Proxy", base.withDataDir(dir.resolve("pg")).withStores(new StoreSettings(
                        StoreSettings.S3, S3Server.shared().newBucket(5 << 20), StoreSettings.POSTGRES,
                        PostgresServer.shared().newDatabase(16))), images, blobsPerImage);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            System.exit(status);
        }
    }

    static void run(String name, RegistryConfig config, int images, int blobsPerImage) throws Exception {
        byte[] config0 = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        try (RegistryServer server = RegistryServer.start(config)) {
            send(server.uri(), "POST", "/api/v1/namespaces", "application/json", "{\"name\":\"bench\"}".getBytes(), 201);
        }
        long seedStart = System.nanoTime();
        fill(config, images, blobsPerImage, config0);
        System.out.printf("%s: seeded %d images (%d blobs, half deleted) in %.1f s%n", name, images,
                images * blobsPerImage, (System.nanoTime() - seedStart) / 1e9);
        try (RegistryServer server = RegistryServer.start(config)) {
            URI uri = server.uri();
            int n = 0;
            for (int i = 0; i < 50; i++) { // warm up
                image("bench/put", 1_000_000 + n++, config0, uri);
            }
            double[] quiet = new double[300];
            for (int i = 0; i < quiet.length; i++) {
                long t = System.nanoTime();
                image("bench/put", 1_000_000 + n++, config0, uri);
                quiet[i] = (System.nanoTime() - t) / 1e6;
            }
            AtomicBoolean sweeping = new AtomicBoolean(true);
            long[] sweep = new long[1];
            String[] report = new String[1];
            Thread collector = new Thread(() -> {
                long t = System.nanoTime();
                try {
                    report[0] = send(uri, "POST", "/api/v1/gc", "application/json", "{}".getBytes(), 201);
                } catch (Exception e) {
                    report[0] = e.toString();
                }
                sweep[0] = System.nanoTime() - t;
                sweeping.set(false);
            });
            collector.start();
            List<Double> during = new ArrayList<>();
            while (sweeping.get()) {
                long t = System.nanoTime();
                image("bench/put", 1_000_000 + n++, config0, uri);
                if (sweeping.get()) {
                    during.add((System.nanoTime() - t) / 1e6);
                }
            }
            collector.join();
            Arrays.sort(quiet);
            double[] busy = during.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            String freed = report[0].replaceAll("(?s).*\"deleted\":(\\d+).*\"bytesFreed\":(\\d+).*", "$1 digests, $2 bytes");
            System.out.printf("%s: GC %.2f s (freed %s)%n", name, sweep[0] / 1e9, freed);
            System.out.printf("%s: manifest PUT without GC p50 %.1f ms p99 %.1f ms (%d); during GC p50 %.1f ms p99 %.1f ms"
                    + " (%d); p99 ratio %.2f%n", name, pct(quiet, 50), pct(quiet, 99), quiet.length,
                    busy.length == 0 ? Double.NaN : pct(busy, 50), busy.length == 0 ? Double.NaN : pct(busy, 99),
                    busy.length, busy.length == 0 ? Double.NaN : pct(busy, 99) / pct(quiet, 99));
        }
    }

    /**
     * Seeds the registry in this process, through the registry's own store classes and services
     * rather than over HTTP (set-up, not what is measured; over HTTP the full size took over an
     * hour): per image, each layer as an upload stores it (touched in the GC ledger, then its bytes
     * placed, then linked into the repository), then the manifest through {@link ManifestService#put}
     * (the push's own validation, touches and transaction); every odd image deleted for good
     * through {@link ManifestService#delete}. Eight threads (32 on S3), on the stores the server then opens.
     */
    static void fill(RegistryConfig config, int images, int blobsPerImage, byte[] config0) throws Exception {
        try (Stores stores = Stores.open(config)) {
            BlobStore blobs = stores.blobs();
            MetadataStore metadata = stores.metadata();
            Clock clock = Clock.systemUTC();
            ManifestService manifests = new ManifestService(blobs, metadata, config.limits(), clock);
            Lifecycle lifecycle = new Lifecycle(stores.database(), metadata, blobs, manifests, clock,
                    config.lifecycle().trashRetention(), config.lifecycle().gcGrace(), "gc-bench-fill");
            manifests.guard(lifecycle);
            for (int r = 0; r < REPOSITORIES; r++) {
                store(lifecycle, blobs, metadata, "bench/r" + r, config0);
            }
            // S3 requests are mostly waiting on S3Proxy: more of them at once
            int threads = config.stores().s3() != null ? 32 : 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                work.add(pool.submit(() -> {
                    for (int i = first; i < images; i += threads) {
                        String repo = "bench/r" + (i % REPOSITORIES);
                        List<byte[]> layers = new ArrayList<>();
                        for (int b = 0; b < blobsPerImage; b++) {
                            byte[] layer = ("layer " + i + "/" + b).getBytes(StandardCharsets.UTF_8);
                            store(lifecycle, blobs, metadata, repo, layer);
                            layers.add(layer);
                        }
                        byte[] manifest = manifest(i, config0, layers).getBytes(StandardCharsets.UTF_8);
                        manifests.put(repo, "v" + i, MediaTypes.OCI_MANIFEST, manifest);
                        if (i % 2 == 1) {
                            // deleted for good: its manifest and blobs are garbage for the sweep
                            manifests.delete(repo, Digest.sha256(manifest).toString());
                        }
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> f : work) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            // The walk of the blob store a database's first sweep makes (once ever: for digests stored
            // before the ledger) is made here, by a sweep whose grace period spares everything: the
            // sweep measured is then the sweep every later one is. Its cost is printed apart.
            long walkStart = System.nanoTime();
            Collector.Report walked = new Lifecycle(stores.database(), metadata, blobs, manifests, clock,
                    config.lifecycle().trashRetention(), Duration.ofDays(36_500), "gc-bench-fill").collector()
                    .collect(false, true);
            System.out.printf("first sweep's walk of the blob store: %d blobs stored, %d unknown to the ledger, "
                    + "%.2f s (freed %d)%n", walked.walk().stored(), walked.walk().unknown(),
                    (System.nanoTime() - walkStart) / 1e9, walked.deleted());
        }
    }

    private static final int REPOSITORIES = 50;

    /** A blob as an upload's commit stores it: touched, its bytes placed, linked into the repository. */
    private static void store(Lifecycle lifecycle, BlobStore blobs, MetadataStore metadata, String repo, byte[] bytes)
            throws Exception {
        Digest d = Digest.sha256(bytes);
        lifecycle.beforeStoring(repo, d, bytes.length);
        blobs.putVerified(d, bytes);
        metadata.linkBlob(repo, d, bytes.length);
    }

    /**
     * Pushes image {@code i} over HTTP, the measured manifest PUT: its config uploaded (already
     * stored: a touch and a link) and a manifest naming {@code i}, with the config standing in for
     * its one layer, so every one is new.
     */
    static void image(String repo, int i, byte[] config, URI uri) throws Exception {
        send(uri, "POST", "/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(config), "application/octet-stream",
                config, 201);
        send(uri, "PUT", "/v2/" + repo + "/manifests/v" + i, MediaTypes.OCI_MANIFEST,
                manifest(i, config, List.of(config)).getBytes(StandardCharsets.UTF_8), 201);
    }

    /** An image manifest naming {@code i}, over {@code config} and {@code layers}. */
    static String manifest(int i, byte[] config, List<byte[]> layers) {
        StringBuilder json = new StringBuilder();
        for (byte[] layer : layers) {
            json.append(json.length() == 0 ? "" : ",").append("{\"mediaType\":\"").append(MediaTypes.OCI_LAYER_TAR_GZIP)
                    .append("\",\"digest\":\"").append(Digest.sha256(layer)).append("\",\"size\":").append(layer.length)
                    .append('}');
        }
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[" + json + "],\"annotations\":{\"bench\":\"" + i + "\"}}";
    }

    static String send(URI uri, String method, String path, String type, byte[] body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
