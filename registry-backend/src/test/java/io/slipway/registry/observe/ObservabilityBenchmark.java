package io.slipway.registry.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import io.slipway.registry.testing.ServerMain;
import io.slipway.registry.testing.TempDirs;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/observe-bench.sh}: in one run on this machine, (1) manifest GETs per second with
 * metrics on against the same registry with {@code metrics.enabled: false} (wrk, 32 connections,
 * measured alternately, median of the rounds; goal ratio >= 0.95), and (2) webhook deliveries to a
 * local receiver: events per second from the first push to the last delivery, and the p99 of each
 * event's delay from its time to its arrival. Every registry is a process of its own with
 * {@code auth: none} (ServerMain).
 */
public final class ObservabilityBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Path dir = Files.createTempDirectory("slipway-observe-bench");
        try {
            double ratio = metricsOnOff(dir, seconds);
            webhooks(dir, events);
            System.out.printf("RESULT metrics on/off manifest GETs ratio %.3f (goal >= 0.95)%n", ratio);
        } finally {
            TempDirs.deleteQuietly(dir);
        }
    }

    static double metricsOnOff(Path dir, int seconds) throws Exception {
        Path on = Files.writeString(dir.resolve("on.yml"), "auth: none\n");
        Path off = Files.writeString(dir.resolve("off.yml"), "auth: none\nmetrics: {enabled: false}\n");
        Process a = ServerMain.launch(dir.resolve("on"), dir.resolve("on.log"), on);
        Process b = ServerMain.launch(dir.resolve("off"), dir.resolve("off.log"), off);
        try {
            int pa = ServerMain.awaitReady(a);
            int pb = ServerMain.awaitReady(b);
            for (int port : List.of(pa, pb)) {
                push(new RegistryHttp(URI.create("http://127.0.0.1:" + port)), "bench/app", "v1");
            }
            // Both JIT compilers warm: 5 s left C2 compiling, and each round ran faster than the one
            // before (5,400 then 7,000 then 9,200 GET/s), which favoured whichever server ran second.
            int warmUp = Integer.parseInt(System.getenv().getOrDefault("WARMUP_SECONDS", "20"));
            System.out.printf("warm-up (%d s each): metrics on %.0f GET/s, off %.0f GET/s%n", warmUp,
                    wrk(pa, warmUp), wrk(pb, warmUp));
            List<Double> ratios = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                // the order alternates, so neither server is always the one measured after the other
                double x;
                double y;
                if (round % 2 == 0) {
                    x = wrk(pa, seconds);
                    y = wrk(pb, seconds);
                } else {
                    y = wrk(pb, seconds);
                    x = wrk(pa, seconds);
                }
                System.out.printf("round %d: metrics on %.0f GET/s, off %.0f GET/s, ratio %.3f%n", round + 1, x, y, x / y);
                ratios.add(x / y);
            }
            Collections.sort(ratios);
            return ratios.get(1);
        } finally {
            a.destroy();
            b.destroy();
            a.waitFor(30, TimeUnit.SECONDS);
            b.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static double wrk(int port, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c32", "-d" + seconds + "s", "-H",
                "Accept: " + MediaTypes.OCI_MANIFEST, "http://127.0.0.1:" + port + "/v2/bench/app/manifests/v1")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        if (out.contains("Non-2xx")) {
            throw new IllegalStateException("wrk saw errors:\n" + out);
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("Requests/sec:")) {
                return Double.parseDouble(line.substring("Requests/sec:".length()).trim());
            }
        }
        throw new IllegalStateException("no Requests/sec in wrk's output:\n" + out);
    }

    static void webhooks(Path dir, int events) throws Exception {
        ConcurrentLinkedQueue<long[]> delays = new ConcurrentLinkedQueue<>(); // {arrival, event time}
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        ExecutorService receiving = Executors.newFixedThreadPool(16);
        receiver.setExecutor(receiving);
        receiver.createContext("/", x -> {
            long arrival = System.currentTimeMillis();
            JsonNode e = JSON.readTree(x.getRequestBody().readAllBytes());
            delays.add(new long[] {arrival, Instant.parse(e.path("time").asText()).toEpochMilli()});
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        receiver.start();
        Path config = Files.writeString(dir.resolve("hooks.yml"), "auth: none\nwebhooks: {allowedTargets: [127.0.0.0/8]}\n");
        Process p = ServerMain.launch(dir.resolve("hooks"), dir.resolve("hooks.log"), config);
        try {
            RegistryHttp http = new RegistryHttp(URI.create("http://127.0.0.1:" + ServerMain.awaitReady(p)));
            http.post("/api/v1/namespaces", "{\"name\":\"bench\"}".getBytes(StandardCharsets.UTF_8),
                    "Content-Type", "application/json");
            // The seed push before the subscription: only the measured pushes make events.
            String manifest = push(http, "bench/app", "seed");
            var hook = http.post("/api/v1/webhooks", ("{\"namespace\":\"bench\",\"url\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/\",\"events\":\"push\"}").getBytes(StandardCharsets.UTF_8),
                    "Content-Type", "application/json");
            if (hook.statusCode() != 201) {
                throw new IllegalStateException(RegistryHttp.text(hook));
            }
            long start = System.currentTimeMillis();
            ExecutorService pushers = Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                String tag = "t" + i;
                answers.add(pushers.submit(() -> http.put("/v2/bench/app/manifests/" + tag,
                        manifest.getBytes(StandardCharsets.UTF_8), "Content-Type", MediaTypes.OCI_MANIFEST).statusCode()));
            }
            pushers.shutdown();
            pushers.awaitTermination(10, TimeUnit.MINUTES);
            for (var answer : answers) {
                if (answer.get() != 201) { // a refused push makes no event: the figures would be wrong
                    throw new IllegalStateException("a benchmark push was answered " + answer.get());
                }
            }
            long pushed = System.currentTimeMillis();
            long deadline = pushed + 600_000;
            while (delays.size() < events && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            List<Long> d = new ArrayList<>();
            long last = 0;
            for (long[] x : delays) {
                d.add(x[0] - x[1]);
                last = Math.max(last, x[0]);
            }
            Collections.sort(d);
            System.out.printf("webhooks: %d pushes in %.1f s (%.0f/s); %d events delivered, %.0f events/s from the first "
                    + "push to the last delivery; delay p50 %d ms, p99 %d ms, max %d ms%n", events, (pushed - start) / 1e3,
                    events / ((pushed - start) / 1e3), d.size(), d.size() / ((last - start) / 1e3),
                    d.get(d.size() / 2), d.get((int) Math.floor(d.size() * 0.99) - 1), d.get(d.size() - 1));
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            receiver.stop(0);
            receiving.shutdownNow(); // its threads would keep the benchmark's JVM from exiting
        }
    }

    static String push(RegistryHttp http, String repo, String tag) {
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[4096];
        new java.util.Random(7).nextBytes(layer);
        Digest c = http.pushBlob(repo, config);
        Digest l = http.pushBlob(repo, layer);
        String manifest = Images.imageManifest(c, config.length, l, layer.length);
        http.pushManifest(repo, tag, MediaTypes.OCI_MANIFEST, manifest);
        return manifest;
    }
}
