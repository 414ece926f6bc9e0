package io.slipway.registry.auth;

import static io.slipway.testing.RegistryHttp.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Images;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every principal, every verb, every kind of resource: the expected allow or deny, checked with
 * real requests carrying real tokens, plus the existence-hiding answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixTest {
    @TempDir
    static Path data;

    IamFixture iam;

    static final List<String> REPOS = List.of("acme-dev/app", "acme-prod/app", "acme-prod/other", "acme-pub/base",
            "globex-app/app", "nowhere/app");

    /** principal → repository → allowed verbs ("pull", "push", "delete"). */
    static final Map<String, Map<String, String>> EXPECTED = Map.of(
            "admin", Map.of("acme-dev/app", "pull push delete", "acme-prod/app", "pull push delete",
                    "acme-prod/other", "pull push delete", "acme-pub/base", "pull push delete",
                    "globex-app/app", "pull push delete"),
            "manager", Map.of("acme-dev/app", "pull push delete", "acme-prod/app", "pull push delete",
                    "acme-prod/other", "pull push delete", "acme-pub/base", "pull push delete"),
            "reader", Map.of("acme-dev/app", "pull", "acme-prod/app", "pull", "acme-prod/other", "pull",
                    "acme-pub/base", "pull"),
            "writer", Map.of("acme-dev/app", "pull push", "acme-prod/app", "pull", "acme-prod/other", "pull",
                    "acme-pub/base", "pull"),
            "ci", Map.of("acme-dev/app", "pull push", "acme-pub/base", "pull"),
            "deployer", Map.of("acme-prod/app", "pull push", "acme-pub/base", "pull"),
            "globex", Map.of("globex-app/app", "pull push delete", "acme-pub/base", "pull"),
            "anonymous", Map.of());

    @BeforeAll
    void setUp() throws Exception {
        iam = new IamFixture(data);
    }

    @AfterAll
    void tearDown() throws Exception {
        iam.close();
    }

    String keyOf(String principal) {
        return switch (principal) {
            case "admin" -> iam.adminKey;
            case "anonymous" -> null;
            default -> iam.keys.get(principal);
        };
    }

    @Test
    void tokensGrantExactlyWhatPoliciesAllowAndRequestsObeyThem() throws Exception {
        List<String> failures = new ArrayList<>();
        for (var entry : EXPECTED.entrySet()) {
            String principal = entry.getKey();
            for (String repo : REPOS) {
                String token = iam.token(keyOf(principal), "repository:" + repo + ":pull,push,delete");
                List<String> expected = List.of(entry.getValue().getOrDefault(repo, "").split(" "));
                for (String verb : List.of("pull", "push", "delete")) {
                    int status = attempt(token, repo, verb);
                    boolean allowed = status != 401;
                    if (allowed != expected.contains(verb)) {
                        failures.add(principal + " " + verb + " " + repo + ": got " + status);
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    /** One request per verb; 401 means denied, anything else means the registry let it through. */
    int attempt(String token, String repo, String verb) {
        String auth = "Bearer " + token;
        HttpResponse<byte[]> r = switch (verb) {
            case "pull" -> iam.http.get("/v2/" + repo + "/tags/list", "Authorization", auth);
            case "push" -> iam.http.post("/v2/" + repo + "/blobs/uploads/", new byte[0], "Authorization", auth);
            default -> iam.http.send(iam.http.request("/v2/" + repo + "/manifests/" + Digest.sha256("none"))
                    .header("Authorization", auth).DELETE().build());
        };
        return r.statusCode();
    }

    @Test
    void anotherAccountsNamespaceAnswersExactlyAsAMissingOne() throws Exception {
        // globex's manager asks about acme's namespace and about one that does not exist.
        String key = iam.keys.get("globex");
        for (String verb : List.of("pull", "push", "delete")) {
            String t1 = iam.token(key, "repository:acme-dev/app:" + verb);
            String t2 = iam.token(key, "repository:acme-xyz/app:" + verb);
            assertThat(IamFixture.access(t1)).isEmpty();
            assertThat(IamFixture.access(t2)).isEmpty();
            HttpResponse<byte[]> hidden = request(t1, "acme-dev/app", verb);
            HttpResponse<byte[]> missing = request(t2, "acme-xyz/app", verb);
            assertThat(hidden.statusCode()).isEqualTo(missing.statusCode()).isEqualTo(401);
            assertThat(body(hidden).replace("acme-dev", "NS")).isEqualTo(body(missing).replace("acme-xyz", "NS"));
            assertThat(hidden.headers().firstValue("WWW-Authenticate").orElseThrow().replace("acme-dev", "NS"))
                    .isEqualTo(missing.headers().firstValue("WWW-Authenticate").orElseThrow().replace("acme-xyz", "NS"));
        }
        // The management API too.
        HttpResponse<byte[]> hidden = iam.apiCall(key, "GET", "/api/v1/images/inspect?image=acme-dev/app:v1", null);
        HttpResponse<byte[]> missing = iam.apiCall(key, "GET", "/api/v1/images/inspect?image=acme-xyz/app:v1", null);
        assertThat(hidden.statusCode()).isEqualTo(missing.statusCode()).isEqualTo(404);
        assertThat(body(hidden).replace("acme-dev", "NS")).isEqualTo(body(missing).replace("acme-xyz", "NS"));
        HttpResponse<byte[]> hiddenNs = iam.apiCall(key, "DELETE", "/api/v1/namespaces/acme-dev", null);
        HttpResponse<byte[]> missingNs = iam.apiCall(key, "DELETE", "/api/v1/namespaces/acme-xyz", null);
        assertThat(hiddenNs.statusCode()).isEqualTo(missingNs.statusCode()).isEqualTo(404);
        assertThat(body(hiddenNs).replace("acme-dev", "NS")).isEqualTo(body(missingNs).replace("acme-xyz", "NS"));
        // Creating a namespace with a taken name says only that it is taken.
        HttpResponse<byte[]> taken = iam.apiCall(key, "POST", "/api/v1/namespaces", "{\"name\":\"acme-dev\"}");
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(body(taken)).doesNotContain("acme\"").doesNotContain("account");
    }

    HttpResponse<byte[]> request(String token, String repo, String verb) {
        String auth = "Bearer " + token;
        return switch (verb) {
            case "pull" -> iam.http.get("/v2/" + repo + "/manifests/latest", "Authorization", auth);
            case "push" -> iam.http.post("/v2/" + repo + "/blobs/uploads/", new byte[0], "Authorization", auth);
            default -> iam.http.send(iam.http.request("/v2/" + repo + "/manifests/latest")
                    .header("Authorization", auth).DELETE().build());
        };
    }

    static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void catalogListsOnlyWhatTheCallerMayPull() throws Exception {
        String ci = iam.token(iam.keys.get("ci"), "repository:acme-dev/app:pull,push");
        pushImage(ci, "acme-dev/app");
        String globex = iam.token(iam.keys.get("globex"), "repository:globex-app/app:pull,push");
        pushImage(globex, "globex-app/app");

        String forGlobex = iam.token(iam.keys.get("globex"), "registry:catalog:*");
        HttpResponse<byte[]> r = iam.http.get("/v2/_catalog", "Authorization", "Bearer " + forGlobex);
        assertThat(body(r)).contains("globex-app/app").doesNotContain("acme-dev");
        String forReader = iam.token(iam.keys.get("reader"), "registry:catalog:*");
        assertThat(body(iam.http.get("/v2/_catalog", "Authorization", "Bearer " + forReader)))
                .contains("acme-dev/app").doesNotContain("globex");
        assertThat(iam.http.get("/v2/_catalog").statusCode()).isEqualTo(401);
    }

    void pushImage(String token, String repo) {
        String auth = "Bearer " + token;
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = repo.getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(config, layer)) {
            HttpResponse<byte[]> r = iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                    "Authorization", auth);
            assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
        }
        String manifest = Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
        HttpResponse<byte[]> r = iam.http.put("/v2/" + repo + "/manifests/v1", manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", auth);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
    }

    @Test
    void managementRolesAreEnforced() throws Exception {
        // A Reader may list but not create namespaces, service IDs or policies.
        assertThat(iam.apiCall(iam.keys.get("reader"), "POST", "/api/v1/namespaces", "{\"name\":\"acme-new\"}")
                .statusCode()).isEqualTo(403);
        assertThat(iam.apiCall(iam.keys.get("reader"), "POST", "/api/v1/service-ids", "{\"name\":\"x\"}")
                .statusCode()).isEqualTo(403);
        assertThat(iam.apiCall(iam.keys.get("writer"), "POST", "/api/v1/policies",
                "{\"user\":\"writer\",\"role\":\"Manager\"}").statusCode()).isEqualTo(403);
        // Only the administrator creates accounts.
        assertThat(iam.apiCall(iam.keys.get("manager"), "POST", "/api/v1/accounts", "{\"name\":\"evil\"}")
                .statusCode()).isEqualTo(403);
        // Anyone may make a key for themselves; not for someone else.
        assertThat(iam.apiCall(iam.keys.get("reader"), "POST", "/api/v1/api-keys", "{}").statusCode()).isEqualTo(201);
        assertThat(iam.apiCall(iam.keys.get("reader"), "POST", "/api/v1/api-keys", "{\"serviceId\":\"ci\"}")
                .statusCode()).isEqualTo(403);
        // A password works for the token endpoint as a user name and password.
        HttpResponse<byte[]> r = iam.http.get("/token?service=slipway&scope=repository:acme-dev/app:push",
                "Authorization", IamFixture.basic("writer", "correct horse battery"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(IamFixture.access(new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body())
                .path("token").asText()).toString()).contains("push");
        assertThat(iam.http.get("/token?service=slipway", "Authorization", IamFixture.basic("writer", "wrong password!"))
                .statusCode()).isEqualTo(401);
        // Invalid namespace names are refused with the rule.
        for (String bad : List.of("abc", "a".repeat(31), "Acme-x", "acme..x", "-acme", "acme_")) {
            assertThat(iam.apiCall(iam.keys.get("manager"), "POST", "/api/v1/namespaces", "{\"name\":\"" + bad + "\"}")
                    .statusCode()).as(bad).isEqualTo(400);
        }
        // Every change is in the audit log, and the admin can read it.
        var audit = iam.api(iam.adminKey, "GET", "/api/v1/audit?limit=1000", null, 200);
        assertThat(audit.toString()).contains("api.post namespaces").contains("user:acme/manager");
    }

    /**
     * {@code POST /api/v1/va/db/import} changes what every account's images are judged by: the
     * administrator alone may send a file, and the database in use changes before the answer.
     */
    @Test
    void onlyTheAdministratorImportsAdvisoriesIntoTheRunningRegistry() throws Exception {
        String record = """
                {"id": "GHSA-test-0001", "aliases": ["CVE-2099-0001"], "summary": "access matrix",
                 "database_specific": {"severity": "LOW"},
                 "affected": [{"package": {"ecosystem": "npm", "name": "slipway-access-matrix"},
                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}]}
                """;
        String before = iam.api(iam.adminKey, "GET", "/api/v1/va/db", null, 200).path("databaseVersion").asText();
        for (String principal : EXPECTED.keySet()) {
            if (principal.equals("admin")) {
                continue;
            }
            HttpResponse<byte[]> r = iam.apiCall(keyOf(principal), "POST", "/api/v1/va/db/import?name=x.json", record);
            assertThat(r.statusCode()).as(principal).isEqualTo(principal.equals("anonymous") ? 401 : 403);
        }
        assertThat(iam.api(iam.adminKey, "GET", "/api/v1/va/db", null, 200).path("databaseVersion").asText())
                .isEqualTo(before);
        var imported = iam.api(iam.adminKey, "POST", "/api/v1/va/db/import?name=x.json", record, 201);
        assertThat(imported.path("added").asInt()).isEqualTo(1);
        assertThat(imported.path("databaseVersion").asText()).isNotEqualTo(before)
                .isEqualTo(iam.api(iam.keys.get("reader"), "GET", "/api/v1/va/db", null, 200).path("databaseVersion").asText());
        // Not an advisory file: refused, and the database is as it was.
        HttpResponse<byte[]> bad = iam.apiCall(iam.adminKey, "POST", "/api/v1/va/db/import?name=y.json", "{not json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(iam.api(iam.adminKey, "GET", "/api/v1/va/db", null, 200).path("databaseVersion").asText())
                .isEqualTo(imported.path("databaseVersion").asText());
        var audit = iam.api(iam.adminKey, "GET", "/api/v1/audit?limit=1000", null, 200);
        assertThat(audit.toString()).contains("va/db/import");
    }

    @Test
    void publicNamespacesArePullableByEveryoneButPushableOnlyByTheirAccount() throws Exception {
        String manager = iam.token(iam.keys.get("manager"), "repository:acme-pub/base:pull,push");
        pushImage(manager, "acme-pub/base");
        String globex = iam.token(iam.keys.get("globex"), "repository:acme-pub/base:pull,push");
        assertThat(IamFixture.access(globex).toString()).contains("pull").doesNotContain("push");
        assertThat(iam.http.get("/v2/acme-pub/base/manifests/v1", "Authorization", "Bearer " + globex).statusCode())
                .isEqualTo(200);
        // Anonymous pulls are off unless enabled.
        String anonymous = iam.token(null, "repository:acme-pub/base:pull");
        assertThat(IamFixture.access(anonymous)).isEmpty();
    }
}
