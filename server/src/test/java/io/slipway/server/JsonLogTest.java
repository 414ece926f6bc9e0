package io.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway registry serve} with {@code log: {format: json, requests: true}}, in a process of its
 * own: every line it writes, on either stream, is one JSON object with a time, a level, a logger and
 * a message; a failing and a succeeding request, each with the client's {@code X-Request-Id}, find
 * that id in their log lines (as {@code requestId}), their error body and their audit entry. A
 * client's id that is not sane is replaced, never echoed.
 */
class JsonLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    @Test
    void everyLineIsAJsonObjectAndARequestsLinesCarryItsId() throws Exception {
        Path config = Files.writeString(dir.resolve("registry.yml"), "auth: none\nlog: {requests: true, format: json}\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                "io.slipway.cli.Slipway", "registry", "serve", "--config", config.toString(), "--data",
                dir.resolve("data").toString(), "--listen", "127.0.0.1:0");
        // Both streams to one file: what the process writes, not a reader's view of it, is checked.
        Path log = dir.resolve("registry.log");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        Output lines = new Output(log);
        List<String> seen = new ArrayList<>();
        try {
            URI registry = null;
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (registry == null && System.nanoTime() < end) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line != null) {
                    seen.add(line);
                    String message = parse(line).path("message").asText();
                    if (message.startsWith("Slipway registry at ")) {
                        registry = URI.create(message.substring(20, message.indexOf("/v2/")));
                    }
                }
            }
            assertThat(registry).as(String.join("\n", seen)).isNotNull();
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(registry.resolve("/v2/team/app/manifests/v9"))
                    .header("X-Request-Id", "json-log-fail-1").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("X-Request-Id")).hasValue("json-log-fail-1");
            assertThat(JSON.readTree(missing.body()).path("requestId").asText()).isEqualTo("json-log-fail-1");

            byte[] configBlob = "{}".getBytes(StandardCharsets.UTF_8);
            byte[] layer = "a layer".getBytes(StandardCharsets.UTF_8);
            for (byte[] blob : List.of(configBlob, layer)) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(registry.resolve("/v2/team/app/blobs/uploads/?digest="
                        + sha256(blob))).POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            }
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(configBlob)
                    + "\",\"size\":" + configBlob.length + "},\"layers\":[{\"mediaType\":"
                    + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + sha256(layer) + "\",\"size\":"
                    + layer.length + "}]}";
            HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(registry.resolve("/v2/team/app/manifests/1.0"))
                    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").header("X-Request-Id", "json-log-ok-1")
                    .PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);

            HttpResponse<String> insane = http.send(HttpRequest.newBuilder(registry.resolve("/v2/"))
                    .header("X-Request-Id", "x".repeat(200)).build(), HttpResponse.BodyHandlers.ofString());
            String made = insane.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(made).hasSize(36);

            // The request lines are written when each request completes: wait for the last one's.
            JsonNode last = await(lines, seen, made);
            assertThat(last.path("route").asText()).isEqualTo("/v2/");
            JsonNode failed = find(seen, "json-log-fail-1");
            assertThat(failed.path("route").asText()).isEqualTo("/v2/{name}/manifests/{reference}");
            assertThat(failed.path("method").asText()).isEqualTo("GET");
            assertThat(failed.path("status").asInt()).isEqualTo(404);
            assertThat(failed.path("bytesOut").asLong()).isEqualTo(missing.body().getBytes(StandardCharsets.UTF_8).length);
            assertThat(find(seen, "json-log-ok-1").path("status").asInt()).isEqualTo(201);
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
            lines.drainTo(seen);
        }
        // Every line the process wrote, to its end (the shutdown's too), is one JSON object of the log.
        assertThat(seen).isNotEmpty();
        for (String line : seen) {
            JsonNode o = parse(line);
            assertThat(o.isObject()).as(line).isTrue();
            assertThat(o.path("@timestamp").asText()).as(line).isNotEmpty();
            assertThat(o.path("level").asText()).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
            assertThat(o.path("logger_name").asText()).as(line).isNotEmpty();
            assertThat(o.has("message")).as(line).isTrue();
        }
        assertThat(seen).noneMatch(l -> l.contains("x".repeat(200)));
        // The push's audit entry carries the client's id.
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/metadata.db"));
                ResultSet rs = db.createStatement().executeQuery(
                        "SELECT request_id FROM audit_log WHERE action = 'image.push' AND target LIKE 'team/app:1.0@%'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("json-log-ok-1");
        }
    }

    /** The line with {@code requestId} {@code id}, reading more of the output until it comes (a deadline, not a timing). */
    private static JsonNode await(Output lines, List<String> seen, String id) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            JsonNode found = find(seen, id);
            if (found != null) {
                return found;
            }
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
            }
        }
        assertThat(find(seen, id)).as(String.join("\n", seen)).isNotNull();
        return find(seen, id);
    }

    /** The request line (the one with a status) of the request {@code id}; null if it is not there yet. */
    private static JsonNode find(List<String> seen, String id) {
        return seen.stream().map(JsonLogTest::parse).filter(o -> id.equals(o.path("requestId").asText()))
                .filter(o -> o.has("status")).findFirst().orElse(null);
    }

    /** The lines of the log file, taken as they are completed. */
    private static final class Output {
        private final Path file;
        private int taken;
        private final java.util.ArrayDeque<String> ready = new java.util.ArrayDeque<>();

        Output(Path file) {
            this.file = file;
        }

        String poll(long amount, TimeUnit unit) throws Exception {
            if (ready.isEmpty()) {
                read();
            }
            if (ready.isEmpty()) {
                unit.sleep(amount);
                read();
            }
            return ready.poll();
        }

        void drainTo(List<String> into) throws Exception {
            read();
            into.addAll(ready);
            ready.clear();
        }

        private void read() throws java.io.IOException {
            String all = Files.readString(file);
            int end = all.lastIndexOf('\n') + 1; // a line still being written waits for its end
            String[] complete = all.substring(0, end).split("\n", -1);
            for (int i = taken; i < complete.length - 1; i++) {
                ready.add(complete[i]);
            }
            taken = Math.max(taken, complete.length - 1);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
