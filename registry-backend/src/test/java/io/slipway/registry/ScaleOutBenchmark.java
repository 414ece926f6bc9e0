package io.slipway.registry;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.metadata.PostgresSettings;
import io.slipway.registry.storage.S3Settings;
import io.slipway.registry.testing.Images;
import io.slipway.registry.testing.PostgresServer;
import io.slipway.registry.testing.S3Server;
import io.slipway.registry.testing.ServerMain;
import io.slipway.registry.testing.TempDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/scale-out.sh}: the registry on PostgreSQL + S3 against the embedded default
 * (SQLite + files) on one node, and two nodes against one over PostgreSQL + S3, in one run on this
 * machine. Manifest GETs per second and p99 latency by wrk (32 connections, split across the nodes),
 * blob push and pull throughput (4 concurrent 64 MiB blobs, split across the nodes), and the CPU
 * time each part used while the GETs ran (nodes, PostgreSQL, S3Proxy and wrk): on a
 * small machine they share the cores, and the part that used the most is the bottleneck. The GETs
 * are measured as {@code registry-bench.sh} measures them (see {@link #run}), so that the one-node
 * figure can be read beside its manifest GET/s.
 * Every node is a process of its own ({@link ServerMain}), with {@code auth: none}: the stores are
 * compared, not authentication (bench/auth-bench.sh measures that).
 */
public final class ScaleOutBenchmark {
    private static final int MIB = 1 << 20;
    private static final int BLOBS = 4;
    private static final int BLOB_BYTES = 64 * MIB;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One wrk run: requests per second, p99 in ms, requests done, and the CPU each part used meanwhile. */
    record Gets(double rps, double p99Millis, long requests, Map<String, Double> cpu) {
        /** CPU milliseconds the registry nodes spent per request. */
        double nodeMillisPerRequest() {
            return cpu.get("nodes") * 1000 / Math.max(1, requests);
        }
    }

    record Figures(Gets gets, double pushMBps, double pullMBps) {
    }

    private static final int REPS = Integer.parseInt(System.getenv().getOrDefault("REPS", "3"));
    /**
     * Each node is a JVM of its own that has served nothing before its first GET pass, where
     * registry-bench.sh's server has run a push and pull scenario first: 5 s left C2 still compiling
     * on two cores shared with wrk (GET/s rose pass after pass, 4,338 to 9,415), so the median
     * compared warm-up against warm-up. 20 s brings a node to the rate it then holds.
     */
    private static final int WARMUP_SECONDS = Integer.parseInt(System.getenv().getOrDefault("WARMUP_SECONDS", "20"));
    /** The nodes' JVM options: those registry-bench.sh gives Slipway, so both benches run the same server. */
    private static final List<String> NODE_JAVA_OPTS = List.of(
            System.getenv().getOrDefault("SLIPWAY_JAVA_OPTS", "-Xms512m -Xmx2g").trim().split("\\s+"));

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = Files.createTempDirectory("slipway-scale-bench");
        // Closed at the end: S3Proxy's Jetty threads are not daemons and would keep this JVM alive
        // after the RESULT line (PostgreSQL is a process of its own, stopped by a shutdown hook).
        try (S3Server s3server = S3Server.startPrivate()) {
            run(seconds, dir, PostgresServer.shared().newDatabase(16), s3server.newBucket(8 * MIB));
        } finally {
            TempDirs.deleteQuietly(dir); // the nodes' data: 4 x 64 MiB of blobs per run
        }
    }

    /**
     * The GET figures are measured as registry-bench.sh's d. measures them: the same wrk script and
     * client shape, the same JVM options, a warm-up, then {@link #REPS} passes whose median is shown.
     * The SQLite node and the PostgreSQL node run side by side and are driven one after the other,
     * the order alternating between passes, so that a machine busy with something else slows both
     * alike; the CPU milliseconds each request cost the nodes are shown too, which a busy machine
     * moves much less than requests per second.
     */
    private static void run(int seconds, Path dir, PostgresSettings pg, S3Settings s3) throws Exception {
        Path embedded = Files.writeString(dir.resolve("embedded.yaml"), "auth: {mode: none}\n");
        Path shared = Files.writeString(dir.resolve("shared.yaml"), String.join("\n",
                "auth: {mode: none}",
                "storage: {driver: s3, bucket: " + s3.bucket() + ", endpoint: " + s3.endpoint()
                        + ", region: us-east-1, pathStyle: true, accessKey: " + S3Server.ACCESS_KEY
                        + ", secretKey: " + S3Server.SECRET_KEY + ", partSize: " + 8 * MIB + "}",
                "metadata: {driver: postgres, url: \"" + pg.url() + "\", user: " + pg.user() + ", poolSize: 16}", ""));
        List<Process> processes = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroyForcibly)));
        try {
            Process local = start(dir.resolve("embedded"), embedded, processes);
            Process first = start(dir.resolve("node1"), shared, processes);
            String localRepo = image(local, "bench/app-a");
            String sharedRepo = image(first, "bench/app-b");
            System.out.println("== manifest GETs: warm-up " + WARMUP_SECONDS + " s each, then " + REPS + " x " + seconds
                    + " s, SQLite and PostgreSQL alternating; nodes: java " + String.join(" ", NODE_JAVA_OPTS));
            gets(List.of(local), localRepo, WARMUP_SECONDS);
            gets(List.of(first), sharedRepo, WARMUP_SECONDS);
            List<Gets> sqliteGets = new ArrayList<>();
            List<Gets> pgGets = new ArrayList<>();
            for (int pass = 0; pass < REPS; pass++) {
                for (int i = 0; i < 2; i++) {
                    boolean sqliteTurn = (pass + i) % 2 == 0;
                    Gets g = sqliteTurn ? gets(List.of(local), localRepo, seconds) : gets(List.of(first), sharedRepo, seconds);
                    (sqliteTurn ? sqliteGets : pgGets).add(g);
                    System.out.printf("   pass %d %-22s %6.0f GET/s, p99 %.2f ms, %.3f node CPU ms/request%n", pass + 1,
                            sqliteTurn ? "sqlite+files, 1 node" : "postgres+s3, 1 node", g.rps(), g.p99Millis(),
                            g.nodeMillisPerRequest());
                }
            }
            Process second = start(dir.resolve("node2"), shared, processes);
            gets(List.of(second), sharedRepo, WARMUP_SECONDS);
            List<Gets> twoGets = new ArrayList<>();
            for (int pass = 0; pass < REPS; pass++) {
                Gets g = gets(List.of(first, second), sharedRepo, seconds);
                twoGets.add(g);
                System.out.printf("   pass %d %-22s %6.0f GET/s, p99 %.2f ms, %.3f node CPU ms/request%n", pass + 1,
                        "postgres+s3, 2 nodes", g.rps(), g.p99Millis(), g.nodeMillisPerRequest());
            }
            System.out.println("== blobs: " + BLOBS + " x " + BLOB_BYTES / MIB + " MiB pushed, then pulled, at once");
            Figures sqlite = new Figures(median(sqliteGets), 0, 0);
            Figures pg1 = new Figures(median(pgGets), 0, 0);
            Figures pg2 = new Figures(median(twoGets), 0, 0);
            sqlite = blobs(List.of(local), localRepo, "a", sqlite.gets());
            pg1 = blobs(List.of(first), sharedRepo, "b", pg1.gets());
            pg2 = blobs(List.of(first, second), sharedRepo, "c", pg2.gets());

            System.out.println();
            System.out.printf("%-22s %10s %9s %12s %11s %11s   %s%n", "", "GET/s", "p99 ms", "CPU ms/GET", "push MB/s",
                    "pull MB/s", "CPU seconds during the median GET pass");
            row("sqlite+files, 1 node", sqlite);
            row("postgres+s3, 1 node", pg1);
            row("postgres+s3, 2 nodes", pg2);
            System.out.printf("RESULT p99 postgres/sqlite %.2f (goal <= 1.5); GET/s postgres/sqlite %.2f (goal >= 0.9); "
                            + "node CPU per GET postgres/sqlite %.2f; two nodes/one: GET/s %.2f, push %.2f, pull %.2f "
                            + "(goal >= 1.0)%n",
                    pg1.gets().p99Millis() / sqlite.gets().p99Millis(), pg1.gets().rps() / sqlite.gets().rps(),
                    pg1.gets().nodeMillisPerRequest() / sqlite.gets().nodeMillisPerRequest(),
                    pg2.gets().rps() / pg1.gets().rps(), pg2.pushMBps() / pg1.pushMBps(),
                    pg2.pullMBps() / pg1.pullMBps());
        } finally {
            processes.forEach(Process::destroyForcibly);
            for (Process p : processes) {
                p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    /** The pass with the median requests per second. */
    private static Gets median(List<Gets> runs) {
        List<Gets> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(Gets::rps));
        return sorted.get(sorted.size() / 2);
    }

    private static void row(String name, Figures f) {
        StringBuilder cpu = new StringBuilder();
        f.gets().cpu().forEach((part, s) -> cpu.append(String.format("%s %.1f  ", part, s)));
        System.out.printf("%-22s %10.0f %9.2f %12.3f %11.0f %11.0f   %s%n", name, f.gets().rps(), f.gets().p99Millis(),
                f.gets().nodeMillisPerRequest(), f.pushMBps(), f.pullMBps(), cpu.toString().strip());
    }

    private static Process start(Path data, Path config, List<Process> processes) throws IOException {
        Files.createDirectories(data);
        Process p = ServerMain.launch(data, data.resolve("log"), config, NODE_JAVA_OPTS);
        processes.add(p);
        int port = ServerMain.awaitReady(p);
        PORTS.put(p, port);
        return p;
    }

    private static final Map<Process, Integer> PORTS = new LinkedHashMap<>();

    private static String url(Process node) {
        return "http://127.0.0.1:" + PORTS.get(node);
    }

    /** Pushes the image whose manifest the GETs ask for (tag v1) into {@code repo}; returns {@code repo}. */
    private static String image(Process node, String repo) throws Exception {
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(4096, 1);
        upload(node, repo, config);
        upload(node, repo, layer);
        byte[] manifest = Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length)
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<Void> put = HTTP.send(HttpRequest.newBuilder().timeout(java.time.Duration.ofMinutes(2)).uri(URI.create(url(node) + "/v2/" + repo + "/manifests/v1"))
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (put.statusCode() != 201) {
            throw new IllegalStateException("manifest PUT answered " + put.statusCode());
        }
        return repo;
    }

    /** wrk against {@code nodes} for {@code seconds}, with the CPU each part used meanwhile. */
    private static Gets gets(List<Process> nodes, String repo, int seconds) throws Exception {
        Map<String, long[]> before = cpuTicks(nodes);
        double[] w = wrk(nodes, repo, seconds);
        Map<String, long[]> after = cpuTicks(nodes);
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (String part : after.keySet()) {
            cpu.put(part, (after.get(part)[0] - before.getOrDefault(part, new long[] {0})[0]) / 100.0);
        }
        return new Gets(w[0], w[1], (long) w[2], cpu);
    }

    private static Figures blobs(List<Process> nodes, String repo, String run, Gets gets) throws Exception {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < BLOBS; i++) {
            blobs.add(random(BLOB_BYTES, 100 + i + run.hashCode()));
        }
        double push = parallel(blobs.size(), i -> upload(nodes.get(i % nodes.size()), repo, blobs.get(i)));
        double pull = parallel(blobs.size(), i -> download(nodes.get((i + 1) % nodes.size()), repo, Digest.sha256(blobs.get(i))));
        double mb = (double) BLOBS * BLOB_BYTES / 1e6;
        System.out.printf("   %d node(s): push %.0f MB/s, pull %.0f MB/s%n", nodes.size(), mb / push, mb / pull);
        return new Figures(gets, mb / push, mb / pull);
    }

    /**
     * wrk against every node at once with registry-bench.sh's script ({@code bench/manifest-get.lua})
     * and client shape: 2 threads and 32 connections in all, split across the nodes;
     * {requests/s summed, worst p99 in ms, requests summed}.
     */
    private static double[] wrk(List<Process> nodes, String repo, int seconds) throws Exception {
        List<Process> runs = new ArrayList<>();
        for (Process node : nodes) {
            runs.add(new ProcessBuilder("wrk", "-t" + Math.max(1, 2 / nodes.size()), "-c" + 32 / nodes.size(),
                    "-d" + seconds + "s", "-s", "bench/manifest-get.lua", url(node) + "/v2/" + repo + "/manifests/v1")
                    .redirectErrorStream(true).start());
        }
        double rps = 0;
        double p99 = 0;
        double requests = 0;
        for (Process p : runs) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            if (!find(out, "non2xx=([0-9]+)").equals("0")) {
                throw new IllegalStateException("wrk saw non-2xx answers:\n" + out);
            }
            if (!find(out, "sockerr=([0-9]+)").equals("0")) { // timeouts on a busy machine, as registry-bench.sh warns
                System.out.println("   WARNING: wrk socket errors: " + out.strip());
            }
            rps += Double.parseDouble(find(out, "BENCH requests=[0-9]+ rps=([0-9.]+)"));
            requests += Double.parseDouble(find(out, "BENCH requests=([0-9]+)"));
            p99 = Math.max(p99, Double.parseDouble(find(out, "p99_ms=([0-9.]+)")));
        }
        return new double[] {rps, p99, requests};
    }

    /**
     * CPU ticks (1/100 s) used so far by each part: the nodes, PostgreSQL, and this JVM with the
     * children it has reaped (S3Proxy, the client, and wrk once it exited).
     */
    private static Map<String, long[]> cpuTicks(List<Process> nodes) throws IOException {
        Map<String, long[]> ticks = new LinkedHashMap<>();
        long n = 0;
        for (Process node : nodes) {
            n += ticks(node.pid());
        }
        ticks.put("nodes", new long[] {n});
        long postgres = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    try {
                        String comm = Files.readString(p.resolve("comm")).strip();
                        if (comm.equals("postgres")) {
                            postgres += ticks(Long.parseLong(name));
                        }
                    } catch (IOException gone) {
                        // the process ended meanwhile
                    }
                }
            }
        }
        ticks.put("postgres", new long[] {postgres});
        ticks.put("s3proxy+wrk", new long[] {ticks(ProcessHandle.current().pid())});
        return ticks;
    }

    /** utime + stime of a process and its waited-for children, from /proc/PID/stat. */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @FunctionalInterface
    interface Task {
        void run(int i) throws Exception;
    }

    /** Runs {@code count} tasks at once; the seconds until all are done. */
    private static double parallel(int count, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            long start = System.nanoTime();
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                all.add(pool.submit(() -> {
                    task.run(n);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void upload(Process node, String repo, byte[] blob) throws Exception {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder().timeout(java.time.Duration.ofMinutes(2)).uri(URI.create(url(node) + "/v2/" + repo
                + "/blobs/uploads/?digest=" + Digest.sha256(blob))).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("blob upload answered " + r.statusCode());
        }
    }

    private static void download(Process node, String repo, Digest digest) throws Exception {
        HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder().timeout(java.time.Duration.ofMinutes(2)).uri(URI.create(url(node) + "/v2/" + repo
                + "/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("blob GET answered " + r.statusCode());
        }
        try (var in = new java.security.DigestInputStream(r.body(), java.security.MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            String hex = java.util.HexFormat.of().formatHex(in.getMessageDigest().digest());
            if (!hex.equals(digest.hex())) {
                throw new IllegalStateException("pulled bytes do not match " + digest);
            }
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in:\n" + text);
        }
        return m.group(1);
    }
}
