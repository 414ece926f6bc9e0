package io.slipway.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.testing.IamFixture;
import io.slipway.testing.RegistryHttp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile tenant tried (issue 17), each as a real request against a real registry: replacing
 * another account's image policy or signer key, using a registry token as a management credential,
 * keeping a deleted key or a removed role, pointing clients elsewhere with a Host header, guessing
 * passwords, and opening uploads without end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;

    IamFixture iam;

    @BeforeAll
    void setUp() throws Exception {
        iam = new IamFixture(data, false, c -> {
            Limits l = c.limits();
            return c.withLimits(new Limits(l.manifestBytes(), l.nameLength(), l.uploadBytes(), l.chunkBytes(),
                    l.uploadLifetime(), l.listPageSize(), l.sparseManifests(), 2, 3));
        });
    }

    @AfterAll
    void tearDown() throws Exception {
        iam.close();
    }

    static String policy(String name, String rule) {
        return JSON.createObjectNode().put("document", """
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata: {name: %s, namespace: prod}
                spec:
                  repositories:
                    - name: "*"
                      policy: %s
                """.formatted(name, rule)).toString();
    }

    @Test
    void anotherAccountCannotReplaceOrRemoveAPolicyOrASignerKey() throws Exception {
        String acme = iam.keys.get("manager");
        String globex = iam.keys.get("globex");
        String strict = policy("production", "{trust: {signerKeys: [{name: release}]}}");
        iam.api(acme, "POST", "/api/v1/image-policies", strict, 201);
        iam.api(acme, "POST", "/api/v1/signer-keys", JSON.createObjectNode().put("name", "release")
                .put("namespace", "prod").put("publicKey", TenantMatrixTest.PUBLIC_KEY).toString(), 201);
        // globex writes a policy and a key with the same namespace and names: its own, beside acme's.
        iam.api(globex, "POST", "/api/v1/image-policies", policy("production", "{}"), 201);
        String globexKey = TenantMatrixTest.publicKey();
        iam.api(globex, "POST", "/api/v1/signer-keys", JSON.createObjectNode().put("name", "release")
                .put("namespace", "prod").put("publicKey", globexKey).toString(), 201);

        JsonNode acmePolicies = iam.api(acme, "GET", "/api/v1/image-policies", null, 200);
        assertThat(acmePolicies).hasSize(1);
        assertThat(acmePolicies.get(0).path("document").asText()).contains("signerKeys");
        assertThat(acmePolicies.get(0).path("account").asText()).isEqualTo("acme");
        JsonNode acmeKeys = iam.api(acme, "GET", "/api/v1/signer-keys", null, 200);
        assertThat(acmeKeys).hasSize(1);
        assertThat(acmeKeys.get(0).path("publicKey").asText()).isEqualTo(TenantMatrixTest.PUBLIC_KEY);
        assertThat(iam.api(globex, "GET", "/api/v1/image-policies", null, 200).toString()).doesNotContain("signerKeys");

        // globex removes "its" policy and key: only its own go; a second try finds nothing.
        iam.api(globex, "DELETE", "/api/v1/image-policies?kind=IMAGE_POLICY&namespace=prod&name=production", null, 200);
        iam.api(globex, "DELETE", "/api/v1/image-policies?kind=IMAGE_POLICY&namespace=prod&name=production", null, 404);
        iam.api(globex, "DELETE", "/api/v1/signer-keys?namespace=prod&name=release", null, 200);
        iam.api(globex, "DELETE", "/api/v1/signer-keys?namespace=prod&name=release", null, 404);
        assertThat(iam.api(acme, "GET", "/api/v1/image-policies", null, 200)).hasSize(1);
        assertThat(iam.api(acme, "GET", "/api/v1/signer-keys", null, 200)).hasSize(1);
        // Naming acme's account does not help: to globex it does not exist.
        iam.api(globex, "DELETE", "/api/v1/image-policies?kind=IMAGE_POLICY&namespace=prod&name=production&account=acme",
                null, 404);
        // Cluster-wide documents are the administrator's alone.
        iam.api(acme, "POST", "/api/v1/signer-keys", JSON.createObjectNode().put("name", "base").put("cluster", true)
                .put("publicKey", TenantMatrixTest.PUBLIC_KEY).toString(), 403);
        iam.api(iam.adminKey, "POST", "/api/v1/signer-keys", JSON.createObjectNode().put("name", "base")
                .put("cluster", true).put("publicKey", TenantMatrixTest.PUBLIC_KEY).toString(), 201);
        assertThat(iam.api(acme, "GET", "/api/v1/signer-keys", null, 200).toString()).doesNotContain("\"base\"");
        iam.api(iam.adminKey, "DELETE", "/api/v1/signer-keys?name=base&cluster=true", null, 200);
        iam.api(acme, "DELETE", "/api/v1/image-policies?kind=IMAGE_POLICY&namespace=prod&name=production", null, 200);
    }

    @Test
    void registryTokensAreNotManagementCredentials() throws Exception {
        String reader = iam.keys.get("reader");
        String empty = iam.token(reader);
        String full = iam.token(reader, "repository:acme-dev/app:pull");
        for (String token : new String[] {empty, full}) {
            var r = iam.http.post("/api/v1/api-keys", "{}".getBytes(), "Authorization", "Bearer " + token,
                    "Content-Type", "application/json");
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(RegistryHttp.text(r)).contains("registry tokens are for the registry API only");
            assertThat(iam.http.get("/api/v1/whoami", "Authorization", "Bearer " + token).statusCode()).isEqualTo(401);
        }
        // An API key is a bearer credential of the management API (what a kubeconfig's token sends).
        var me = iam.http.get("/api/v1/whoami", "Authorization", "Bearer " + reader);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(RegistryHttp.text(me)).contains("\"name\":\"reader\"");
    }

    @Test
    void deletingAKeyTakesEffectOnTheNextRequestAndItsIdIsNeverReused() throws Exception {
        String manager = iam.keys.get("manager");
        iam.api(manager, "POST", "/api/v1/service-ids", "{\"name\":\"shortlived\"}", 201);
        iam.api(manager, "POST", "/api/v1/policies", "{\"serviceId\":\"shortlived\",\"role\":\"Reader\","
                + "\"namespace\":\"acme-dev\"}", 201);
        JsonNode created = iam.api(manager, "POST", "/api/v1/api-keys", "{\"serviceId\":\"shortlived\"}", 201);
        String key = created.path("apiKey").asText();
        long id = created.path("id").asLong();
        String token = iam.token(key, "repository:acme-dev/app:pull"); // the login is now remembered
        assertThat(iam.http.get("/v2/acme-dev/app/tags/list", "Authorization", "Bearer " + token).statusCode())
                .isNotEqualTo(401);

        iam.api(manager, "DELETE", "/api/v1/api-keys/" + id, null, 200);
        assertThat(iam.http.get("/token?service=slipway", "Authorization", IamFixture.basic("iamapikey", key))
                .statusCode()).isEqualTo(401);
        var revoked = iam.http.get("/v2/acme-dev/app/tags/list", "Authorization", "Bearer " + token);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(revoked.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token");
        assertThat(iam.apiCall(key, "GET", "/api/v1/whoami", null).statusCode()).isEqualTo(401);

        long next = iam.api(manager, "POST", "/api/v1/api-keys", "{\"serviceId\":\"shortlived\"}", 201).path("id").asLong();
        assertThat(next).isGreaterThan(id);
    }

    @Test
    void removingARoleOrAPrincipalRevokesItsTokens() throws Exception {
        String manager = iam.keys.get("manager");
        iam.api(manager, "POST", "/api/v1/service-ids", "{\"name\":\"demoted\"}", 201);
        JsonNode grant = iam.api(manager, "POST", "/api/v1/policies", "{\"serviceId\":\"demoted\",\"role\":\"Reader\","
                + "\"namespace\":\"acme-dev\"}", 201);
        String key = iam.api(manager, "POST", "/api/v1/api-keys", "{\"serviceId\":\"demoted\"}", 201).path("apiKey").asText();
        String token = iam.token(key, "repository:acme-dev/app:pull");
        assertThat(IamFixture.access(token).toString()).contains("pull");
        iam.api(manager, "DELETE", "/api/v1/policies/" + grant.path("id").asLong(), null, 200);
        assertThat(iam.http.get("/v2/acme-dev/app/tags/list", "Authorization", "Bearer " + token).statusCode())
                .isEqualTo(401);
        assertThat(IamFixture.access(iam.token(key, "repository:acme-dev/app:pull"))).isEmpty();

        iam.api(manager, "POST", "/api/v1/users", "{\"name\":\"leaver\",\"role\":\"Reader\"}", 201);
        String leaverKey = iam.api(manager, "POST", "/api/v1/api-keys", "{\"user\":\"leaver\"}", 201).path("apiKey").asText();
        String leaverToken = iam.token(leaverKey, "repository:acme-dev/app:pull");
        iam.api(manager, "DELETE", "/api/v1/users/leaver", null, 200);
        assertThat(iam.http.get("/v2/acme-dev/app/tags/list", "Authorization", "Bearer " + leaverToken).statusCode())
                .isEqualTo(401);
    }

    @Test
    void theRealmNeverEchoesTheHostHeader() throws Exception {
        try (Socket s = new Socket("127.0.0.1", iam.server.port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET /v2/ HTTP/1.1\r\nHost: credentials.evil.example\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 401");
            assertThat(answer).contains("realm=\"http://127.0.0.1:" + iam.server.port() + "/token\"")
                    .doesNotContain("evil");
        }
    }

    @Test
    void passwordGuessingIsThrottledAlikeForKnownAndUnknownUsers() throws Exception {
        iam.api(iam.keys.get("manager"), "POST", "/api/v1/users",
                "{\"name\":\"victim\",\"password\":\"the right password\"}", 201);
        for (String user : new String[] {"victim", "nobody-at-all"}) {
            for (int i = 0; i < 6; i++) {
                assertThat(iam.http.get("/token?service=slipway", "Authorization", IamFixture.basic(user, "guess " + i))
                        .statusCode()).as(user + " guess " + i).isEqualTo(401);
            }
            HttpResponse<byte[]> blocked = iam.http.get("/token?service=slipway", "Authorization",
                    IamFixture.basic(user, "the right password"));
            assertThat(blocked.statusCode()).as(user).isEqualTo(429);
            assertThat(Long.parseLong(blocked.headers().firstValue("Retry-After").orElseThrow())).isPositive();
            assertThat(RegistryHttp.text(blocked)).contains("TOOMANYREQUESTS");
            // The management API and the webhook answer the same.
            HttpResponse<byte[]> api = iam.http.get("/api/v1/whoami", "Authorization",
                    IamFixture.basic(user, "the right password"));
            assertThat(api.statusCode()).isEqualTo(429);
            assertThat(api.headers().firstValue("Retry-After")).isPresent();
        }
        // Other users are not held up by someone guessing at victim.
        assertThat(iam.apiCall(iam.keys.get("reader"), "GET", "/api/v1/whoami", null).statusCode()).isEqualTo(200);
    }

    @Test
    void openUploadsAreCappedPerPrincipalAndPerRepository() throws Exception {
        String ci = "Bearer " + iam.token(iam.keys.get("ci"), "repository:acme-dev/caps:pull,push");
        String writer = "Bearer " + iam.token(iam.keys.get("writer"), "repository:acme-dev/caps:pull,push");
        String first = RegistryHttp.location(iam.http.post("/v2/acme-dev/caps/blobs/uploads/", new byte[0],
                "Authorization", ci));
        assertThat(iam.http.post("/v2/acme-dev/caps/blobs/uploads/", new byte[0], "Authorization", ci).statusCode())
                .isEqualTo(202);
        HttpResponse<byte[]> third = iam.http.post("/v2/acme-dev/caps/blobs/uploads/", new byte[0], "Authorization", ci);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(RegistryHttp.text(third)).contains("TOOMANYREQUESTS").contains("you already have 2 open uploads");
        // Another principal still may, until the repository holds three.
        assertThat(iam.http.post("/v2/acme-dev/caps/blobs/uploads/", new byte[0], "Authorization", writer).statusCode())
                .isEqualTo(202);
        HttpResponse<byte[]> full = iam.http.post("/v2/acme-dev/caps/blobs/uploads/", new byte[0], "Authorization", writer);
        assertThat(full.statusCode()).isEqualTo(429);
        assertThat(RegistryHttp.text(full)).contains("repository acme-dev/caps already has 3 open uploads");
        // Cancelling one makes room again.
        assertThat(iam.http.send(iam.http.request(first).header("Authorization", ci).DELETE().build()).statusCode())
                .isEqualTo(204);
        assertThat(iam.http.post("/v2/acme-dev/caps/blobs/uploads/", new byte[0], "Authorization", ci).statusCode())
                .isEqualTo(202);
    }

    @Test
    void anUnauthenticatedAdmissionReviewIsDeniedWithoutJudgingAnything() throws Exception {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"anon",
                 "namespace":"prod","operation":"CREATE",
                 "object":{"kind":"Pod","spec":{"containers":[{"name":"c","image":"127.0.0.1/acme-dev/app:v1"}]}}}}
                """;
        for (String[] headers : new String[][] {{}, {"Authorization", "Bearer " + iam.token(iam.keys.get("reader"))}}) {
            HttpResponse<byte[]> r = iam.http.post("/admission/v1/validate", review.getBytes(StandardCharsets.UTF_8),
                    headers);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode response = JSON.readTree(r.body()).path("response");
            assertThat(response.path("uid").asText()).isEqualTo("anon");
            assertThat(response.path("allowed").asBoolean()).isFalse();
            assertThat(response.path("status").path("code").asInt()).isEqualTo(401);
            assertThat(response.path("status").path("message").asText()).contains("did not authenticate")
                    .doesNotContain("acme");
        }
    }
}
