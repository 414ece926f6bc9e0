package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Images;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway cr webhook-add|webhook-list|webhook-deliveries|webhook-rm} against a real registry and receiver. */
class WebhookCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void aManagerSubscribesSeesTheDeliveryAndRemovesTheWebhook() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        receiver.createContext("/", x -> {
            bodies.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        receiver.start();
        try (IamFixture iam = new IamFixture(tmp.resolve("data"), false,
                c -> c.withObserve(c.observe().withAllowedTargets(List.of("127.0.0.0/8"))))) {
            String url = iam.server.uri().toString();
            String manager = iam.keys.get("manager");
            String target = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            CliRun add = CliRun.as(url, manager, "cr", "webhook-add", "acme-dev", "--url", target, "--events", "push,delete");
            assertThat(add.code()).as(add.err()).isZero();
            assertThat(add.out()).contains("Added webhook").contains("namespace acme-dev").contains("whsec_");
            String id = add.out().replaceAll("(?s).*Added webhook (\\d+).*", "$1");

            CliRun list = CliRun.as(url, manager, "cr", "webhook-list");
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains("acme-dev").contains("push,delete").contains(target).doesNotContain("whsec_");

            String token = iam.token(manager, "repository:acme-dev/app:pull,push");
            byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
            byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
            for (byte[] blob : List.of(config, layer)) {
                iam.http.post("/v2/acme-dev/app/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                        "Authorization", "Bearer " + token);
            }
            assertThat(iam.http.put("/v2/acme-dev/app/manifests/1.0", Images.imageManifest(Digest.sha256(config),
                    config.length, Digest.sha256(layer), layer.length).getBytes(StandardCharsets.UTF_8),
                    "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", "Bearer " + token).statusCode()).isEqualTo(201);
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            CliRun deliveries;
            do {
                Thread.sleep(200);
                deliveries = CliRun.as(url, manager, "cr", "webhook-deliveries", id);
            } while (!deliveries.out().contains("delivered") && Instant.now().isBefore(deadline));
            assertThat(deliveries.out()).contains("push").contains("delivered").contains("204");
            assertThat(bodies).anyMatch(b -> b.contains("io.slipway.image.pushed") && b.contains("acme-dev/app:1.0"));

            // A Reader may not subscribe; an unknown event is bad input (exit 2 or 3, one line).
            CliRun reader = CliRun.as(url, iam.keys.get("reader"), "cr", "webhook-add", "acme-dev", "--url", target,
                    "--events", "push");
            assertThat(reader.code()).isEqualTo(Slipway.REFUSED);
            CliRun bad = CliRun.as(url, manager, "cr", "webhook-add", "acme-dev", "--url", target, "--events", "pull");
            assertThat(bad.code()).isNotZero();
            assertThat(bad.err()).contains("unknown event 'pull'");

            CliRun rm = CliRun.as(url, manager, "cr", "webhook-rm", id);
            assertThat(rm.code()).as(rm.err()).isZero();
            assertThat(CliRun.as(url, manager, "cr", "webhook-list", "--output", "json").out().trim()).isEqualTo("[ ]");
        } finally {
            receiver.stop(0);
        }
    }
}
