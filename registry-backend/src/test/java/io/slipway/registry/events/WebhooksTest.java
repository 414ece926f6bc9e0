package io.slipway.registry.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end on a token registry with two accounts: a namespace's Manager subscribes, a
 * push and a delete reach a real HTTP receiver as signed CloudEvents carrying the request's id,
 * failing receivers are retried and dead-lettered, private targets are refused unless allowed,
 * and the administrator streams the audit log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @TempDir
    static Path data;

    IamFixture iam;
    Receiver receiver;

    @BeforeAll
    void setUp() throws Exception {
        iam = new IamFixture(data, false, c -> c.withObserve(c.observe().withAllowedTargets(List.of("127.0.0.0/8"))
                .withWebhookRetries(3, Duration.ofSeconds(1))));
        receiver = new Receiver();
    }

    @AfterAll
    void tearDown() throws Exception {
        receiver.close();
        iam.close();
    }

    JsonNode subscribe(String key, String namespace, String url, String events) throws Exception {
        return iam.api(key, "POST", "/api/v1/webhooks", JSON.createObjectNode().put("namespace", namespace).put("url", url)
                .put("events", events).toString(), 201);
    }

    Digest push(String key, String repo, String tag, String requestId) throws Exception {
        String auth = "Bearer " + iam.token(key, "repository:" + repo + ":pull,push,delete");
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = (repo + tag).getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(config, layer)) {
            HttpResponse<byte[]> r = iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                    "Authorization", auth);
            assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(201);
        }
        String manifest = Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
        HttpResponse<byte[]> r = iam.http.put("/v2/" + repo + "/manifests/" + tag, manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", auth, "X-Request-Id", requestId);
        assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(201);
        assertThat(r.headers().firstValue("X-Request-Id")).hasValue(requestId);
        return Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPushAndADeleteArriveAsSignedCloudEventsWithTheRequestId() throws Exception {
        String manager = iam.keys.get("manager");
        JsonNode hook = subscribe(manager, "acme-dev", receiver.url("/acme"), "push,delete");
        String secret = hook.path("secret").asText();
        assertThat(secret).startsWith("whsec_");
        // The secret is shown once: listings never carry it.
        JsonNode listed = iam.api(manager, "GET", "/api/v1/webhooks?namespace=acme-dev", null, 200);
        assertThat(listed.toString()).contains(hook.path("id").asText()).doesNotContain(secret);

        Digest digest = push(iam.keys.get("ci"), "acme-dev/app", "1.0", "ci-build-42");
        assertThat(receiver.await(r -> r.stream().anyMatch(x -> x.event().path("type").asText().equals("io.slipway.image.pushed")
                && x.event().path("subject").asText().contains("acme-dev/app:1.0")), DEADLINE)).isTrue();
        Receiver.Received got = receiver.received.stream()
                .filter(x -> x.event().path("subject").asText().contains("acme-dev/app:1.0")).findFirst().orElseThrow();
        JsonNode event = got.event();
        assertThat(event.path("specversion").asText()).isEqualTo("1.0");
        assertThat(event.path("id").asText()).isNotBlank();
        assertThat(event.path("source").asText()).isEqualTo(iam.server.uri().toString());
        assertThat(event.path("data").path("repository").asText()).isEqualTo("acme-dev/app");
        assertThat(event.path("data").path("tag").asText()).isEqualTo("1.0");
        assertThat(event.path("data").path("digest").asText()).isEqualTo(digest.toString());
        assertThat(event.path("data").path("requestId").asText()).isEqualTo("ci-build-42");
        assertThat(got.contentType()).startsWith("application/cloudevents+json");
        assertThat(got.signature()).isEqualTo("sha256=" + Deliverer.sign(secret, got.body()));
        assertThat(got.signature()).isNotEqualTo("sha256=" + Deliverer.sign(secret + "x", got.body()));

        // The audit entry of the push carries the same request id.
        JsonNode audit = iam.api(iam.adminKey, "GET", "/api/v1/audit?limit=50", null, 200);
        assertThat(audit.toString()).contains("\"requestId\":\"ci-build-42\"");

        HttpResponse<byte[]> deleted = iam.http.delete("/v2/acme-dev/app/manifests/" + digest);
        assertThat(deleted.statusCode()).isEqualTo(401); // and with credentials:
        String auth = "Bearer " + iam.token(manager, "repository:acme-dev/app:delete");
        HttpResponse<byte[]> r = iam.http.send(iam.http.request("/v2/acme-dev/app/manifests/" + digest)
                .header("Authorization", auth).DELETE().build());
        assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(202);
        assertThat(receiver.await(x -> x.stream().anyMatch(e -> e.event().path("type").asText()
                .equals("io.slipway.image.deleted") && e.event().path("data").path("digest").asText()
                .equals(digest.toString())), DEADLINE)).isTrue();

        // image-rm through the management API is a delete event too.
        push(iam.keys.get("ci"), "acme-dev/app", "2.0", "second");
        iam.api(manager, "DELETE", "/api/v1/images?image=" + java.net.URLEncoder.encode("acme-dev/app:2.0",
                StandardCharsets.UTF_8), null, 200);
        assertThat(receiver.await(x -> x.stream().anyMatch(e -> e.event().path("type").asText()
                .equals("io.slipway.image.deleted") && e.event().path("subject").asText().equals("acme-dev/app:2.0")),
                DEADLINE)).isTrue();

        // Deliveries are listed for the subscription's Managers.
        JsonNode deliveries = iam.api(manager, "GET", "/api/v1/webhook-deliveries?webhook=" + hook.path("id").asText(),
                null, 200);
        assertThat(deliveries).hasSizeGreaterThanOrEqualTo(2);
        assertThat(deliveries.get(0).path("state").asText()).isEqualTo("delivered");
        // Another namespace's pushes are not sent to it; another account's subscriptions see nothing of acme.
        int before = receiver.received.size();
        push(iam.keys.get("deployer"), "acme-prod/app", "9.9", "other-ns");
        assertThat(iam.api(iam.keys.get("globex"), "GET", "/api/v1/webhooks", null, 200)).isEmpty();
        iam.api(manager, "DELETE", "/api/v1/webhooks/" + hook.path("id").asText(), null, 200);
        assertThat(receiver.received.subList(before, receiver.received.size()))
                .noneMatch(x -> x.event().path("subject").asText().contains("acme-prod"));
    }

    @Test
    void aFinishedScanIsAnEventOfTheNamespaceHoldingTheImage() throws Exception {
        try (Receiver scans = new Receiver()) {
            String manager = iam.keys.get("manager");
            JsonNode hook = subscribe(manager, "acme-dev", scans.url("/scans"), "scan-completed");
            Digest digest = push(iam.keys.get("ci"), "acme-dev/scanned", "1.0", "scan-me");
            assertThat(scans.await(r -> r.stream().anyMatch(x -> x.event().path("data").path("digest").asText()
                    .equals(digest.toString())), DEADLINE)).isTrue();
            JsonNode event = scans.received.stream().map(Receiver.Received::event)
                    .filter(e -> e.path("data").path("digest").asText().equals(digest.toString())).findFirst().orElseThrow();
            assertThat(event.path("type").asText()).isEqualTo("io.slipway.scan.completed");
            assertThat(event.path("subject").asText()).isEqualTo("acme-dev/scanned@" + digest);
            assertThat(event.path("data").path("outcome").asText()).isNotBlank();
            // Only scans were asked for: the push itself was not sent.
            assertThat(scans.received).noneMatch(x -> x.event().path("type").asText().equals("io.slipway.image.pushed"));
            iam.api(manager, "DELETE", "/api/v1/webhooks/" + hook.path("id").asText(), null, 200);
        }
    }

    @Test
    void aFailingReceiverIsRetriedAndThenDeadLettered() throws Exception {
        try (Receiver broken = new Receiver()) {
            broken.status = 500;
            String manager = iam.keys.get("manager");
            JsonNode hook = subscribe(manager, "acme-dev", broken.url("/broken"), "push");
            push(iam.keys.get("ci"), "acme-dev/broken", "1", "dead-letter");
            String id = hook.path("id").asText();
            assertThat(receiver.await(x -> {
                try {
                    JsonNode d = iam.api(manager, "GET", "/api/v1/webhook-deliveries?webhook=" + id, null, 200);
                    return d.size() == 1 && d.get(0).path("state").asText().equals("dead");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, DEADLINE)).isTrue();
            JsonNode d = iam.api(manager, "GET", "/api/v1/webhook-deliveries?webhook=" + id, null, 200).get(0);
            assertThat(d.path("attempts").asInt()).isEqualTo(3);
            assertThat(d.path("lastStatus").asInt()).isEqualTo(500);
            assertThat(broken.requests.get()).isEqualTo(3);
            iam.api(manager, "DELETE", "/api/v1/webhooks/" + id, null, 200);
        }
    }

    @Test
    void privateTargetsAreRefusedUnlessAllowedAndBadInputSaysWhy() throws Exception {
        String manager = iam.keys.get("manager");
        for (String url : List.of("http://10.1.2.3/hook", "http://169.254.169.254/latest", "http://[::1]:8080/",
                "http://192.168.0.1/", "http://[::ffff:10.0.0.1]/")) {
            HttpResponse<byte[]> r = iam.apiCall(manager, "POST", "/api/v1/webhooks", JSON.createObjectNode()
                    .put("namespace", "acme-dev").put("url", url).put("events", "push").toString());
            assertThat(r.statusCode()).as(url).isEqualTo(400);
            assertThat(RegistryHttp.text(r)).contains("loopback, link-local or private").contains("allowedTargets");
        }
        HttpResponse<byte[]> r = iam.apiCall(manager, "POST", "/api/v1/webhooks", JSON.createObjectNode()
                .put("namespace", "acme-dev").put("url", "ftp://example.com/").put("events", "push").toString());
        assertThat(RegistryHttp.text(r)).startsWith("400").contains("http:// or https://");
        r = iam.apiCall(manager, "POST", "/api/v1/webhooks", JSON.createObjectNode()
                .put("namespace", "acme-dev").put("url", receiver.url("/")).put("events", "push,pull").toString());
        assertThat(RegistryHttp.text(r)).startsWith("400").contains("unknown event 'pull'").contains("scan-completed");
        // A Reader of the namespace may not subscribe it; only the administrator subscribes to the audit log.
        r = iam.apiCall(iam.keys.get("reader"), "POST", "/api/v1/webhooks", JSON.createObjectNode()
                .put("namespace", "acme-dev").put("url", receiver.url("/")).put("events", "push").toString());
        assertThat(r.statusCode()).isEqualTo(403);
        r = iam.apiCall(manager, "POST", "/api/v1/webhooks", JSON.createObjectNode()
                .put("url", receiver.url("/")).put("events", "audit").toString());
        assertThat(RegistryHttp.text(r)).startsWith("403").contains("administrator");
        assertThat(iam.api(manager, "GET", "/api/v1/webhooks?namespace=acme-dev", null, 200)).isEmpty();
        // Every error body carries the request's id.
        assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(RegistryHttp.text(r)).contains("\"requestId\":\"" + r.headers().firstValue("X-Request-Id").get() + "\"");
    }

    @Test
    void theAdministratorStreamsTheAuditLog() throws Exception {
        try (Receiver siem = new Receiver()) {
            JsonNode hook = iam.api(iam.adminKey, "POST", "/api/v1/webhooks", JSON.createObjectNode()
                    .put("url", siem.url("/siem")).put("events", "audit").toString(), 201);
            iam.api(iam.keys.get("manager"), "POST", "/api/v1/service-ids", "{\"name\":\"auditedbot\"}", 201);
            assertThat(siem.await(x -> x.stream().anyMatch(e -> e.event().path("type").asText().equals("io.slipway.audit")
                    && e.event().path("data").path("target").asText("").contains("auditedbot")
                    || e.event().path("data").path("action").asText().equals("api.post service-ids")), DEADLINE)).isTrue();
            JsonNode entry = siem.received.stream().map(Receiver.Received::event)
                    .filter(e -> e.path("data").path("action").asText().equals("api.post service-ids")).findFirst()
                    .orElseThrow();
            assertThat(entry.path("data").path("actor").asText()).isEqualTo("user:acme/manager");
            assertThat(entry.path("data").path("requestId").asText()).isNotBlank();
            // Managers of an account neither see nor remove the administrator's subscription.
            String id = hook.path("id").asText();
            assertThat(iam.api(iam.keys.get("manager"), "GET", "/api/v1/webhooks", null, 200).toString())
                    .doesNotContain(siem.url("/siem"));
            iam.api(iam.keys.get("manager"), "DELETE", "/api/v1/webhooks/" + id, null, 404);
            iam.api(iam.adminKey, "DELETE", "/api/v1/webhooks/" + id, null, 200);
        }
    }
}
