package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.RegistryServer;
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
 * sweep's duration (one {@code POST /api/v1/gc}, the first on the database, so it includes the
 * walk of the blob store), and the manifest-PUT latency at the client (one pusher, one PUT at a
 * time, a new manifest over blobs already stored) without a sweep and while the sweep runs.
 * Populated over the registry API by 8 pushers (small blobs: the sweep's work is per digest).
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
        run("SQLite + files", base.withDataDir(dir.resolve("sqlite")), images, blobsPerImage);
        run("PostgreSQL + S3Proxy", base.withDataDir(dir.resolve("pg")).withStores(new StoreSettings(StoreSettings.S3,
                S3Server.shared().newBucket(5 << 20), StoreSettings.POSTGRES, PostgresServer.shared().newDatabase(16))),
                images, blobsPerImage);
        System.exit(0);
    }

    static void run(String name, RegistryConfig config, int images, int blobsPerImage) throws Exception {
        try (RegistryServer server = RegistryServer.start(config)) {
            URI uri = server.uri();
            send(uri, "POST", "/api/v1/namespaces", "application/json", "{\"name\":\"bench\"}".getBytes(), 201);
            long seedStart = System.nanoTime();
            byte[] config0 = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
            send(uri, "POST", "/v2/bench/r0/blobs/uploads/?digest=" + Digest.sha256(config0), "application/octet-stream",
                    config0, 201);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t;
                work.add(pool.submit(() -> {
                    for (int i = first; i < images; i += 8) {
                        String repo = "bench/r" + (i % 50);
                        String manifest = image(repo, i, blobsPerImage, config0, uri, true);
                        Digest d = Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8));
                        if (i % 2 == 1) {
                            // deleted for good: its manifest and blobs are garbage for the sweep
                            send(uri, "DELETE", "/v2/" + repo + "/manifests/" + d, null, null, 202);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            pool.shutdown();
            System.out.printf("%s: seeded %d images (%d blobs, half deleted) in %.1f s%n", name, images,
                    images * blobsPerImage, (System.nanoTime() - seedStart) / 1e9);

            int n = 0;
            for (int i = 0; i < 50; i++) { // warm up
                image("bench/put", 1_000_000 + n++, 0, config0, uri, false);
            }
            double[] quiet = new double[300];
            for (int i = 0; i < quiet.length; i++) {
                long t = System.nanoTime();
                image("bench/put", 1_000_000 + n++, 0, config0, uri, false);
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
                image("bench/put", 1_000_000 + n++, 0, config0, uri, false);
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
     * Pushes image {@code i} of {@code repo}: its own {@code blobs} small layers (none: a layer the
     * config stands in for, already stored) and a manifest naming {@code i}, so every one is new.
     */
    static String image(String repo, int i, int blobs, byte[] config, URI uri, boolean linkConfig) throws Exception {
        if (linkConfig || blobs == 0) {
            send(uri, "POST", "/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(config), "application/octet-stream",
                    config, 201);
        }
        StringBuilder layers = new StringBuilder();
        for (int b = 0; b < Math.max(1, blobs); b++) {
            byte[] layer = blobs == 0 ? config : ("layer " + i + "/" + b).getBytes(StandardCharsets.UTF_8);
            if (blobs > 0) {
                send(uri, "POST", "/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(layer),
                        "application/octet-stream", layer, 201);
            }
            layers.append(b == 0 ? "" : ",").append("{\"mediaType\":\"").append(MediaTypes.OCI_LAYER_TAR_GZIP)
                    .append("\",\"digest\":\"").append(Digest.sha256(layer)).append("\",\"size\":").append(layer.length)
                    .append('}');
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[" + layers + "],\"annotations\":{\"bench\":\"" + i + "\"}}";
        send(uri, "PUT", "/v2/" + repo + "/manifests/v" + i, MediaTypes.OCI_MANIFEST,
                manifest.getBytes(StandardCharsets.UTF_8), 201);
        return manifest;
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
