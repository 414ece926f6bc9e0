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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push's manifest, its tag, its audit entry and its webhook outbox row are one transaction. The
 * fault is caused in the real metadata database: a trigger makes it refuse the outbox row after the
 * manifest and tag rows were written in the same transaction. The push must then fail as a whole —
 * no tag to pull, no audit entry, nothing delivered — rather than keep an image whose event was lost;
 * once the database takes outbox rows again, the same push succeeds and its event arrives.
 */
class PushEventAtomicityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void aPushWhoseEventCannotBeWrittenDoesNotCommit() throws Exception {
        try (IamFixture iam = new IamFixture(data, false,
                c -> c.withObserve(c.observe().withAllowedTargets(List.of("127.0.0.0/8"))));
                Receiver receiver = new Receiver();
                Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("metadata.db"))) {
            String manager = iam.keys.get("manager");
            iam.api(manager, "POST", "/api/v1/webhooks", JSON.createObjectNode().put("namespace", "acme-dev")
                    .put("url", receiver.url("/acme")).put("events", "push").toString(), 201);
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("CREATE TRIGGER outbox_down BEFORE INSERT ON webhook_deliveries "
                        + "BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END");
            }
            String ci = iam.keys.get("ci");
            HttpResponse<byte[]> refused = push(iam, ci, "acme-dev/app", "1.0", "lost-push-1");
            assertThat(refused.statusCode()).as(RegistryHttp.text(refused)).isEqualTo(503);
            assertThat(RegistryHttp.text(refused)).contains("\"requestId\":\"lost-push-1\"");

            String pull = "Bearer " + iam.token(ci, "repository:acme-dev/app:pull");
            HttpResponse<byte[]> missing = iam.http.get("/v2/acme-dev/app/manifests/1.0", "Authorization", pull,
                    "Accept", MediaTypes.OCI_MANIFEST);
            assertThat(missing.statusCode()).as("the tag of a push whose event was refused").isEqualTo(404);
            JsonNode audit = iam.api(iam.adminKey, "GET", "/api/v1/audit?limit=100", null, 200);
            assertThat(audit.toString()).doesNotContain("lost-push-1");

            try (Statement st = db.createStatement()) {
                st.execute("DROP TRIGGER outbox_down");
            }
            HttpResponse<byte[]> pushed = push(iam, ci, "acme-dev/app", "1.0", "push-2");
            assertThat(pushed.statusCode()).as(RegistryHttp.text(pushed)).isEqualTo(201);
            assertThat(receiver.await(r -> r.stream().anyMatch(x -> x.event().path("data").path("requestId").asText()
                    .equals("push-2")), Duration.ofMinutes(2))).isTrue();
            assertThat(receiver.received).noneMatch(x -> x.event().path("data").path("requestId").asText()
                    .equals("lost-push-1"));
            assertThat(iam.http.get("/v2/acme-dev/app/manifests/1.0", "Authorization", pull, "Accept",
                    MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<byte[]> push(IamFixture iam, String key, String repo, String tag, String requestId)
            throws Exception {
        String auth = "Bearer " + iam.token(key, "repository:" + repo + ":pull,push");
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = (repo + tag).getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(config, layer)) {
            HttpResponse<byte[]> r = iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                    "Authorization", auth);
            assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(201);
        }
        String manifest = Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
        return iam.http.put("/v2/" + repo + "/manifests/" + tag, manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", auth, "X-Request-Id", requestId);
    }
}
