package io.slipway.registry.console;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import io.slipway.registry.testing.Images;
import io.slipway.registry.testing.PostgresServer;
import io.slipway.registry.testing.TempDirs;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code bench/console-bench.sh}: the console's images page for an account with 10,000 images (50
 * a page; the first page, a page deep in the list, and a search) and the issues page of an image
 * with 1,000 findings, on SQLite and, when PostgreSQL's server binaries are here, on PostgreSQL.
 * Time per request is measured at the client over loopback, one request at a time (so it is the
 * server's time plus a loopback round trip); the reference, measured in the same run, is the
 * management API call the page is built on ({@code GET /api/v1/images}, {@code GET /api/v1/va}).
 */
public final class ConsoleBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    /** Images seeded in the account (the second argument may lower it on a busy machine; the issue asks 10,000). */
    static int IMAGES = 10_000;
    static final int FINDINGS = 1_000;

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        IMAGES = args.length > 1 ? Integer.parseInt(args[1]) : IMAGES;
        Path dir = java.nio.file.Files.createTempDirectory("console-bench");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TempDirs.deleteQuietly(dir)));
        // a third argument picks one store (sqlite or postgres), so the two can be seeded side by side
        String only = args.length > 2 ? args[2] : "both";
        if (!only.equals("postgres")) {
            run("SQLite", RegistryConfig.defaults().withDataDir(dir.resolve("sqlite")), requests);
        }
        boolean postgres = !only.equals("sqlite");
        try {
            postgres &= java.nio.file.Files.list(Path.of("/usr/lib/postgresql")).findAny().isPresent();
        } catch (java.io.IOException e) {
            postgres = false;
        }
        if (postgres) {
            RegistryConfig pg = RegistryConfig.defaults().withDataDir(dir.resolve("postgres")).withStores(
                    new StoreSettings(StoreSettings.defaults().storage(), null, "postgres",
                            PostgresServer.shared().newDatabase(16)));
            Path key = dir.resolve("token.key");
            io.slipway.registry.auth.TokenKey.create(key);
            run("PostgreSQL", pg.withAuthSettings(pg.authSettings().withTokenKeyFile(key)), requests);
        } else {
            System.out.println("PostgreSQL: skipped (no server binaries under /usr/lib/postgresql)");
        }
        System.exit(0);
    }

    static void run(String name, RegistryConfig base, int requests) throws Exception {
        RegistryConfig config = base.withListen("127.0.0.1:0").withAuth("token");
        try (RegistryServer server = RegistryServer.start(config)) {
            URI uri = server.uri();
            String admin = server.bootstrap().generatedKey();
            long seed = System.nanoTime();
            api(uri, admin, "POST", "/api/v1/namespaces", "{\"name\":\"bench-ns\"}");
            api(uri, admin, "POST", "/api/v1/va/db/import?name=bench.json", advisories());
            // Seeding outlasts a token's lifetime on a busy machine: a fresh one every minute.
            java.util.function.Supplier<String> token = new java.util.function.Supplier<>() {
                private String current;
                private long at;

                @Override
                public synchronized String get() {
                    if (current == null || System.nanoTime() - at > 60_000_000_000L) {
                        try {
                            current = token(uri, admin);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        at = System.nanoTime();
                    }
                    return current;
                }
            };
            if (SEED_BY_HTTP) {
                // 10,000 images in 100 repositories, four pushers at once, each scanned
                byte[] layer = layer(0);
                ExecutorService pool = Executors.newFixedThreadPool(4);
                List<Future<?>> pushes = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int first = t;
                    pushes.add(pool.submit(() -> {
                        for (int i = first; i < IMAGES; i += 4) {
                            push(uri, token.get(), "bench-ns/repo" + (i % 100), "v" + i, layer, i);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : pushes) {
                    f.get();
                }
                pool.shutdown();
            } else {
                seed(server);
            }
            push(uri, token.get(), "bench-ns/big", "1.0", layer(FINDINGS), IMAGES);
            server.scans().idle(600_000);
            if (name.equals("PostgreSQL")) {
                // What autovacuum does after a bulk load (50 rows and 10% of a table changed): without
                // statistics the planner guesses a handful of rows per repository and sorts every image,
                // which no registry that has held 10,000 images for a minute does.
                server.database().read(c -> {
                    try (var st = c.createStatement()) {
                        st.execute("ANALYZE");
                    }
                    return null;
                });
            }
            System.out.printf("%s: seeded %d images in %.1f s%n", name, IMAGES + 1, (System.nanoTime() - seed) / 1e9);
            String cookie = signIn(uri, admin);
            // A Manager of the account (not the administrator): the page names the repositories it may pull.
            api(uri, admin, "POST", "/api/v1/users", "{\"name\":\"bench-manager\",\"role\":\"Manager\"}");
            Matcher key = Pattern.compile("\"apiKey\":\"([^\"]+)\"").matcher(api(uri, admin, "POST", "/api/v1/api-keys",
                    "{\"user\":\"bench-manager\"}"));
            key.find();
            String managerCookie = signIn(uri, key.group(1));
            String big = "bench-ns/big:1.0";
            String basic = "Basic " + Base64.getEncoder().encodeToString(("iamapikey:" + admin).getBytes());
            // warm up: class loading, JIT, caches
            for (int i = 0; i < 20; i++) {
                page(uri, "/console/images", cookie);
                page(uri, "/console/images", managerCookie);
                page(uri, "/console/issues?ref=" + q(big), cookie);
            }
            explain(server, name);
            report(name, "images page 1 (50 of " + (IMAGES + 1) + ")", measure(uri, "/console/images", "Cookie", cookie, requests),
                    measure(uri, "/api/v1/images?restrict=bench-ns", "Authorization", basic, requests));
            report(name, "images page " + Math.max(1, IMAGES / 50 / 2) + ", sorted by repository", measure(uri,
                    "/console/images?sort=repository&dir=asc&page=" + Math.max(1, IMAGES / 50 / 2), "Cookie", cookie, requests), null);
            report(name, "images search 'repo7'", measure(uri, "/console/images?q=repo7", "Cookie", cookie,
                    requests), null);
            report(name, "images page 1 as a Manager (not admin)", measure(uri, "/console/images", "Cookie", managerCookie,
                    requests), null);
            report(name, "images page 1, namespace filter, by size", measure(uri,
                    "/console/images?namespace=bench-ns&sort=size&dir=desc", "Cookie", managerCookie, requests), null);
            report(name, "images page 1, sorted by first tag", measure(uri, "/console/images?sort=tags&dir=asc", "Cookie",
                    managerCookie, requests), null);
            report(name, "images last page, oldest first", measure(uri, "/console/images?sort=created&dir=asc&page="
                    + (IMAGES / 50 + 1), "Cookie", managerCookie, requests), null);
            report(name, "issues page (1,000 findings)", measure(uri, "/console/issues?ref=" + q(big), "Cookie", cookie,
                    requests), measure(uri, "/api/v1/va?image=" + q(big), "Authorization", basic, requests));
            report(name, "issues page 10 (1,000 findings)", measure(uri, "/console/issues?page=10&ref=" + q(big), "Cookie",
                    cookie, requests), null);
            report(name, "namespaces page", measure(uri, "/console/namespaces", "Cookie", managerCookie, requests), null);
        }
    }

    /**
     * Pushing and scanning 10,000 images over HTTP takes hours on a loaded machine; by default the
     * same rows are written through the registry's own stores instead — each image a manifest with
     * its tag in one of 100 repositories, and a finished scan at the advisory database in use (no
     * issues), as a push and its scan leave them. {@code -Dconsole.bench.http=true} pushes them.
     */
    static final boolean SEED_BY_HTTP = Boolean.getBoolean("console.bench.http");

    static void seed(RegistryServer server) {
        io.slipway.registry.scan.ScanStore scans = new io.slipway.registry.scan.ScanStore(server.database());
        String version = server.scans().currentDatabaseVersion();
        java.time.Instant start = java.time.Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < IMAGES; i++) {
            byte[] manifest = ("{\"schemaVersion\":2,\"bench\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256(manifest);
            java.time.Instant created = start.plusSeconds(i * 37L % 86_400);
            server.metadata().putManifest(new io.slipway.registry.metadata.ManifestRecord("bench-ns/repo" + (i % 100),
                    digest, MediaTypes.OCI_MANIFEST, manifest.length, Digest.sha256("config " + i), null, null, null,
                    1000L + i, created, created, List.of()), "v" + i);
            scans.put(new io.slipway.registry.scan.ScanResult(digest, io.slipway.registry.scan.ScanResult.State.DONE,
                    "alpine", null, List.of(), List.of(), null, version, created));
        }
    }

    /**
     * Prints the database's plan of the images page's queries (a Manager's: the repository list is a
     * filter), so each run shows which index every sort walks.
     */
    static void explain(RegistryServer server, String store) {
        boolean postgres = store.equals("PostgreSQL");
        List<Long> ids = new ArrayList<>(server.metadata().repositoryIds("bench-ns/").values());
        if (postgres) {
            System.out.println(store + " tables (live rows, dead rows, bytes): " + server.database().list(
                    "SELECT relname || ' ' || n_live_tup || ' ' || n_dead_tup || ' ' || pg_total_relation_size(relid) "
                            + "FROM pg_stat_user_tables WHERE relname IN ('manifests', 'tags', 'repositories') ORDER BY 1",
                    rs -> rs.getString(1)));
        }
        for (String sort : List.of("created", "size", "repository", "tags")) {
            var sql = io.slipway.registry.metadata.SqlMetadataStore.listingSql(new io.slipway.registry.metadata
                    .MetadataStore.ImageQuery("bench-ns/", ids, null, sort, false, 0, 50));
            List<Object> args = new ArrayList<>(sql.args());
            args.add(50);
            args.add(0);
            for (String[] q : new String[][] {{"page, sorted by " + sort, sql.select()}, {"count", sql.count()}}) {
                if (q[0].equals("count") && !sort.equals("created")) {
                    continue;
                }
                List<Object> a = q[0].equals("count") ? sql.args() : args;
                List<String> plan = server.database().list((postgres ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN QUERY PLAN ") + q[1],
                        rs -> postgres ? rs.getString(1) : rs.getString(4), a.toArray());
                System.out.println(store + " plan of the " + q[0] + ":\n    " + String.join("\n    ", plan));
            }
        }
    }

    static void report(String store, String what, double[] console, double[] reference) {
        System.out.printf("%s  %-40s p50 %6.1f ms  p99 %6.1f ms%s%n", store, what, pct(console, 50), pct(console, 99),
                reference == null ? "" : String.format("   (API reference p50 %.1f ms, p99 %.1f ms; console/API p50 %.2f)",
                        pct(reference, 50), pct(reference, 99), pct(console, 50) / pct(reference, 50)));
    }

    static double[] measure(URI uri, String path, String header, String value, int n) throws Exception {
        double[] millis = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(uri.resolve(path)).header(header, value).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            millis[i] = (System.nanoTime() - t) / 1e6;
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + r.statusCode());
            }
        }
        Arrays.sort(millis);
        return millis;
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static String page(URI uri, String path, String cookie) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve(path)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static String signIn(URI uri, String key) throws Exception {
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(uri.resolve("/console/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(login.body());
        m.find();
        String loginCookie = login.headers().allValues("Set-Cookie").get(0).split(";")[0];
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve("/console/login"))
                .header("Cookie", loginCookie).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + q(m.group(1)) + "&apiKey=" + q(key))).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("slipway_console="))
                .findFirst().orElseThrow(() -> new IllegalStateException("sign-in failed: " + r.statusCode()))
                .split(";")[0];
    }

    static String api(URI uri, String key, String method, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve(path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("iamapikey:" + key).getBytes()))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static String token(URI uri, String key) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve("/token?service=slipway&scope="
                + q("repository:bench-ns/big:pull,push") + IntStreamScopes.all()))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("iamapikey:" + key).getBytes()))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(r.body());
        if (!m.find()) {
            throw new IllegalStateException("no token: " + r.body());
        }
        return m.group(1);
    }

    /** The scopes of the hundred benchmark repositories, for one token. */
    static final class IntStreamScopes {
        static String all() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                b.append("&scope=").append(q("repository:bench-ns/repo" + i + ":pull,push"));
            }
            return b.toString();
        }
    }

    static void push(URI uri, String token, String repository, String tag, byte[] layer, int n) throws Exception {
        byte[] config = Images.config(String.format("2026-01-01T00:00:%02dZ", n % 60)).replace("\"config\":{}",
                "\"config\":{\"Labels\":{\"n\":\"" + n + "\"}}").getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : new byte[][] {config, layer}) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve("/v2/" + repository
                    + "/blobs/uploads/?digest=" + Digest.sha256(blob))).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("blob push: " + r.statusCode() + " " + r.body());
            }
        }
        String manifest = Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve("/v2/" + repository + "/manifests/" + tag))
                .header("Authorization", "Bearer " + token).header("Content-Type", MediaTypes.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("manifest push: " + r.statusCode() + " " + r.body());
        }
    }

    /** {@code packages} npm packages, each matched by one advisory below (0: one harmless package). */
    static byte[] layer(int packages) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < Math.max(1, packages); i++) {
                String name = packages == 0 ? "harmless" : "bench-pkg-" + i;
                byte[] json = ("{\"name\":\"" + name + "\",\"version\":\"1.0.0\"}").getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("app/node_modules/" + name + "/package.json");
                e.setSize(json.length);
                tar.putArchiveEntry(e);
                tar.write(json);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static String advisories() {
        StringBuilder b = new StringBuilder("[");
        String[] severities = {"CRITICAL", "HIGH", "MODERATE", "LOW"};
        Random random = new Random(22);
        for (int i = 0; i < FINDINGS; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"GHSA-bench-").append(i).append("\",\"aliases\":[\"CVE-2099-")
                    .append(10000 + i).append("\"],\"summary\":\"benchmark finding ").append(i)
                    .append("\",\"database_specific\":{\"severity\":\"").append(severities[random.nextInt(4)])
                    .append("\"},\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"bench-pkg-").append(i)
                    .append("\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.0.0\"}]}]}]}");
        }
        return b.append("]").toString();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
