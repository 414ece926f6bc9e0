package io.slipway.registry.testing;

import io.slipway.testing.RequiredTools;
import io.slipway.registry.metadata.PostgresSettings;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster for tests, from the server binaries of Debian's {@code postgresql}
 * package: initdb in a temporary directory, then a server on a free loopback port, stopped when the
 * JVM exits. No system service is needed or touched. PostgreSQL refuses to run as root, so as root
 * it runs as the {@code postgres} user the package creates. One per test JVM; each test takes a
 * database of its own.
 */
public final class PostgresServer {
    private static final String USER = "slipway";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer shared;

    private final Path binaries;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    public static synchronized PostgresServer shared() throws Exception {
        if (shared == null) {
            Path bin = findBinaries();
            if (bin == null) {
                throw RequiredTools.missing("PostgreSQL's server binaries (initdb, pg_ctl) are not installed "
                        + "(apt-get install postgresql)");
            }
            shared = new PostgresServer(bin);
        }
        return shared;
    }

    /** {@code SLIPWAY_PG_BIN}, else the newest {@code /usr/lib/postgresql/<version>/bin}. */
    static Path findBinaries() throws IOException {
        String env = System.getenv("SLIPWAY_PG_BIN");
        if (env != null && Files.isExecutable(Path.of(env, "initdb"))) {
            return Path.of(env);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())))
                    .orElse(null);
        }
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private PostgresServer(Path binaries) throws Exception {
        this.binaries = binaries;
        this.asPostgresUser = "root".equals(System.getProperty("user.name"));
        this.dir = Files.createTempDirectory("slipway-pg");
        if (asPostgresUser) {
            run(List.of("chown", "postgres", dir.toString()), false);
        }
        Path data = dir.resolve("data");
        run(List.of(binaries.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync"), true);
        this.port = freePort();
        // Durability settings off: a test cluster is thrown away, and fsyncs would only cost time.
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off "
                + "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        run(List.of(binaries.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                "-o", options, "-w", "-t", "60", "start"), true);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, "")) {
            // reachable
        }
    }

    private void stop() {
        try {
            run(List.of(binaries.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m",
                    "immediate", "-w", "stop"), true);
        } catch (Exception ignored) {
            // the JVM is going away; the temporary directory is all that is left
        }
        TempDirs.deleteQuietly(dir);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Settings for a new, empty database of this cluster. */
    public PostgresSettings newDatabase(int poolSize) throws SQLException {
        String name = "t" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return new PostgresSettings(url(name), USER, "", poolSize);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void run(List<String> command, boolean asServerUser) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asServerUser && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path log = Files.createTempFile("slipway-pg-cmd", ".log");
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", full));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        if (p.exitValue() != 0) {
            throw new IOException("failed (exit " + p.exitValue() + "): " + String.join(" ", full) + "\n" + output);
        }
    }
}
