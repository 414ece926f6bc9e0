package io.slipway.registry.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import io.slipway.registry.testing.ServerMain;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least once, through a crash: the registry runs as a process of its own, events are being
 * delivered to a slow real receiver when the process is killed (SIGKILL: no shutdown hook, no
 * flush), and after a restart on the same data directory every pushed image's event arrives.
 */
class WebhookRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyEventArrivesAfterTheRegistryIsKilledMidDelivery() throws Exception {
        Path data = dir.resolve("data");
        Path config = Files.writeString(dir.resolve("registry.yml"), """
                auth: none
                webhooks:
                  allowedTargets: [127.0.0.0/8]
                  timeout: 3s
                  backoff: 1s
                """);
        int pushes = 30;
        try (Receiver receiver = new Receiver()) {
            receiver.delayMillis = 1000; // a slow receiver: deliveries are in flight when the registry dies
            Process first = ServerMain.launch(data, dir.resolve("first.log"), config);
            List<String> digests = new ArrayList<>();
            try {
                RegistryHttp http = new RegistryHttp(URI.create("http://127.0.0.1:" + ServerMain.awaitReady(first)));
                assertThat(http.post("/api/v1/namespaces", "{\"name\":\"team-dev\"}".getBytes(StandardCharsets.UTF_8),
                        "Content-Type", "application/json").statusCode()).isEqualTo(201);
                var hook = http.post("/api/v1/webhooks", JSON.createObjectNode().put("namespace", "team-dev")
                        .put("url", receiver.url("/events")).put("events", "push").toString().getBytes(StandardCharsets.UTF_8),
                        "Content-Type", "application/json");
                assertThat(hook.statusCode()).as(RegistryHttp.text(hook)).isEqualTo(201);
                for (int i = 0; i < pushes; i++) {
                    String repo = "team-dev/app" + i;
                    byte[] cfg = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
                    byte[] layer = repo.getBytes(StandardCharsets.UTF_8);
                    Digest c = http.pushBlob(repo, cfg);
                    Digest l = http.pushBlob(repo, layer);
                    digests.add(http.pushManifest(repo, "1.0", MediaTypes.OCI_MANIFEST,
                            Images.imageManifest(c, cfg.length, l, layer.length)).toString());
                }
                // Kill it once deliveries have begun: some are being answered slowly right now.
                assertThat(receiver.await(r -> receiver.requests.get() > 0, Duration.ofMinutes(2))).isTrue();
            } finally {
                first.destroyForcibly(); // SIGKILL
                assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            int beforeRestart = receiver.received.size();
            assertThat(beforeRestart).as("the kill must interrupt the deliveries, not follow them").isLessThan(pushes);

            receiver.delayMillis = 0;
            Process second = ServerMain.launch(data, dir.resolve("second.log"), config);
            try {
                ServerMain.awaitReady(second);
                boolean all = receiver.await(r -> digestsOf(r).containsAll(digests), Duration.ofMinutes(3));
                assertThat(all).as("missing after the restart: " + missing(digests, receiver.received)).isTrue();
            } finally {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }
            System.out.printf("webhook restart: %d pushes, %d events received before the kill, %d after the restart "
                    + "(%d duplicates, allowed by at-least-once)%n", pushes, beforeRestart,
                    receiver.received.size() - beforeRestart, receiver.received.size() - pushes);
        }
    }

    static Set<String> digestsOf(List<Receiver.Received> received) {
        return received.stream().map(x -> x.event().path("data").path("digest").asText()).collect(Collectors.toSet());
    }

    static Set<String> missing(List<String> digests, List<Receiver.Received> received) {
        Set<String> m = new HashSet<>(digests);
        m.removeAll(digestsOf(received));
        return m;
    }

    static JsonNode json(byte[] body) throws java.io.IOException {
        return JSON.readTree(body);
    }
}
