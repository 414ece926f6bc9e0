package io.slipway.registry.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.LifecycleSettings;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import io.slipway.testing.ToolBinaries;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection and quota use in {@code /metrics}: a sweep's run, duration, deleted blobs and
 * freed bytes are what its report says; accounts are counted by the band of their quota they use,
 * with the highest use beside — no account's name as a label — and {@code promtool check metrics}
 * has nothing to say.
 */
class LifecycleMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void sweepsAndQuotaUseAreExportedWithBoundedLabels() throws Exception {
        Path promtool = ToolBinaries.require("promtool");
        RegistryConfig config = RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(dir.resolve("data"))
                .withAuth("none").withLifecycle(new LifecycleSettings(Duration.ofDays(30), Duration.ZERO, Duration.ZERO));
        try (RegistryServer server = RegistryServer.start(config)) {
            RegistryHttp http = new RegistryHttp(server.uri());
            api(http, "POST", "/api/v1/namespaces", "{\"name\":\"team-gc\"}", 201);
            byte[] image = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
            byte[] layer = random(20_000, 1);
            var c = http.pushBlob("team-gc/app", image);
            var l = http.pushBlob("team-gc/app", layer);
            http.pushManifest("team-gc/app", "v1", MediaTypes.OCI_MANIFEST,
                    Images.imageManifest(c, image.length, l, layer.length));
            // Two blobs no manifest reaches: garbage for the sweep (the grace period is zero here).
            http.pushBlob("team-gc/app", random(7_000, 2));
            http.pushBlob("team-gc/app", random(3_000, 3));

            String before = scrape(http);
            assertThat(before).contains("slipway_quota_use_ratio_max{quota=\"storage\"} 0.0");

            JsonNode dry = api(http, "POST", "/api/v1/gc", "{\"dryRun\":true}", 201);
            JsonNode swept = api(http, "POST", "/api/v1/gc", "{\"dryRun\":false}", 201);
            assertThat(swept.path("deleted").asInt()).isEqualTo(2);
            assertThat(dry.path("bytesFreed").asLong()).isEqualTo(swept.path("bytesFreed").asLong());

            // A storage quota the account uses about two thirds of, and a traffic quota it has not touched.
            JsonNode use = api(http, "GET", "/api/v1/quota", null, 200);
            long used = use.path("storage").path("used").asLong();
            long limit = used * 3 / 2;
            api(http, "POST", "/api/v1/quota", "{\"storage\":\"" + limit + "\",\"traffic\":\"1GB\"}", 201);
            String account = use.path("account").asText();

            String after = scrape(http);
            assertThat(value(after, "slipway_gc_runs_total{mode=\"sweep\",outcome=\"done\"}")).isEqualTo(1);
            assertThat(value(after, "slipway_gc_runs_total{mode=\"dry_run\",outcome=\"done\"}")).isEqualTo(1);
            assertThat(value(after, "slipway_gc_duration_seconds_count{mode=\"sweep\"}")).isEqualTo(1);
            assertThat(value(after, "slipway_gc_deleted_blobs_total")).isEqualTo(swept.path("deleted").asInt());
            assertThat(value(after, "slipway_gc_freed_bytes_total")).isEqualTo(swept.path("bytesFreed").asLong());
            assertThat(value(after, "slipway_quota_accounts{quota=\"storage\",use=\"50_to_80\"}")).isEqualTo(1);
            assertThat(value(after, "slipway_quota_accounts{quota=\"storage\",use=\"at_limit\"}")).isZero();
            assertThat(value(after, "slipway_quota_accounts{quota=\"traffic\",use=\"below_50\"}")).isEqualTo(1);
            assertThat(value(after, "slipway_quota_use_ratio_max{quota=\"storage\"}")).isCloseTo((double) used / limit,
                    within(1e-9));
            // bounded labels: the account and its repository are never a label value
            assertThat(after).doesNotContain("\"" + account + "\"").doesNotContain("team-gc");

            Path scraped = Files.writeString(dir.resolve("scrape.txt"), after);
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(scraped.toFile()).redirectErrorStream(true).start();
            String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as(said).isZero();
            assertThat(said).isEmpty();
        }
    }

    private static String scrape(RegistryHttp http) {
        HttpResponse<byte[]> r = http.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return RegistryHttp.text(r).substring(4);
    }

    /** The value of one series in the exposition. */
    private static double value(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError(series + " is not in\n" + exposition);
    }

    private static JsonNode api(RegistryHttp http, String method, String path, String body, int expected) throws Exception {
        HttpResponse<byte[]> r = http.send(http.request(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertThat(r.statusCode()).as(method + " " + path + ": " + RegistryHttp.text(r)).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
