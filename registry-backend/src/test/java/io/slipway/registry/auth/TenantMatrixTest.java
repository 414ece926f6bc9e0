package io.slipway.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access matrix over every surface (the companion of {@link AccessMatrixTest}, which covers
 * the registry verbs per role): each principal of one account, an anonymous caller and a registry
 * token used where it does not belong probe every route that names a tenant object — namespaces,
 * images, signatures, image policies, signer keys, exemptions, service IDs, users, API keys, IAM
 * policies, webhooks, accounts, the policy check, the admission webhook and the token endpoint — once with
 * the other account's object and once with an object that does not exist (a name of the same
 * length, so even Content-Length must match). Status, body and every header but Date must be
 * identical once the two names are written alike.
 *
 * <p>A route added to the management API without joining this matrix fails
 * {@link #everyManagementRouteIsInTheMatrix()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A cosign-style public key (PEM, P-256) for the signer keys the accounts store. */
    static final String PUBLIC_KEY = publicKey();

    static String publicKey() {
        try {
            var generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            return "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                    .encodeToString(generator.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @TempDir
    static Path data;

    IamFixture iam;
    String host;

    /** What a prober presents: an API key (Basic or bearer), a password, a registry token, or nothing. */
    record Prober(String name, String account, String apiKey, String user, String password, String registryToken,
            boolean bearerKey) {

        boolean anonymous() {
            return apiKey == null && password == null && registryToken == null;
        }
    }

    /** One kind of tenant object: its name in each account (hidden) and, per account, a missing one alike. */
    enum Kind { NAMESPACE, IMAGE, DIGEST, IMAGE_POLICY, SIGNER_KEY, EXEMPTION, SERVICE_ID, USER, API_KEY, IAM_POLICY,
        ACCOUNT, WEBHOOK }

    /** A route probed with an object: the request, answered as status, headers and body. */
    record Surface(String route, Kind kind, BiFunction<Prober, String, Answer> probe) {
    }

    record Answer(int status, Map<String, String> headers, String body) {
    }

    /** account → kind → the object's name (or id) in that account. */
    final Map<String, Map<Kind, String>> objects = new LinkedHashMap<>();
    final List<Prober> probers = new ArrayList<>();
    final List<Surface> surfaces = new ArrayList<>();
    final Set<String> usedIds = new HashSet<>();

    @BeforeAll
    void setUp() throws Exception {
        // Webhook targets on this machine are allowed, as an administrator would for an in-house receiver.
        iam = new IamFixture(data, false, c -> c.withObserve(c.observe().withAllowedTargets(List.of("127.0.0.0/8"))));
        host = "127.0.0.1:" + iam.server.port();
        String admin = iam.adminKey;
        String acme = iam.keys.get("manager");
        String globex = iam.keys.get("globex");
        // globex gets the same kinds of people acme has.
        iam.api(globex, "POST", "/api/v1/users", "{\"name\":\"globreader\",\"role\":\"Reader\"}", 201);
        iam.api(globex, "POST", "/api/v1/service-ids", "{\"name\":\"globci\"}", 201);
        iam.api(globex, "POST", "/api/v1/policies", "{\"serviceId\":\"globci\",\"role\":\"Writer\",\"namespace\":\"globex-app\"}", 201);
        iam.keys.put("globreader", iam.api(globex, "POST", "/api/v1/api-keys", "{\"user\":\"globreader\"}", 201)
                .path("apiKey").asText());
        iam.keys.put("globci", iam.api(globex, "POST", "/api/v1/api-keys", "{\"serviceId\":\"globci\"}", 201)
                .path("apiKey").asText());

        objects.put("acme", seed(acme, "acme", "acme-prod"));
        objects.put("globex", seed(globex, "globex", "globex-app"));
        for (JsonNode k : iam.api(admin, "GET", "/api/v1/api-keys?account=default&user=admin", null, 200)) {
            usedIds.add(k.path("id").asText());
        }

        probers.add(new Prober("acme Manager (API key)", "acme", acme, null, null, null, false));
        probers.add(new Prober("acme Reader (bearer API key)", "acme", iam.keys.get("reader"), null, null, null, true));
        probers.add(new Prober("acme Writer (password)", "acme", null, "writer", "correct horse battery", null, false));
        probers.add(new Prober("acme CI service ID", "acme", iam.keys.get("ci"), null, null, null, false));
        probers.add(new Prober("globex Manager", "globex", globex, null, null, null, false));
        probers.add(new Prober("globex Reader", "globex", iam.keys.get("globreader"), null, null, null, true));
        probers.add(new Prober("globex CI service ID", "globex", iam.keys.get("globci"), null, null, null, false));
        probers.add(new Prober("globex registry token", "globex", null, null, null,
                iam.token(globex, "repository:globex-app/app:pull,push,delete", "registry:catalog:*"), false));
        probers.add(new Prober("anonymous", "globex", null, null, null, null, false));
        defineSurfaces();
        defineConsoleSurfaces();
    }

    @AfterAll
    void tearDown() throws Exception {
        iam.close();
    }

    /**
     * One object of every kind in the account, named so that no name is part of another's: the
     * namespace {@code ns} with an image, a signature, an ImagePolicy, a signer key, an exemption,
     * a service ID with a key and a grant, and a user.
     */
    Map<Kind, String> seed(String manager, String account, String ns) throws Exception {
        String tag = account.substring(0, 4);
        Map<Kind, String> o = new TreeMap<>();
        o.put(Kind.NAMESPACE, ns);
        o.put(Kind.ACCOUNT, account);
        String repo = ns + "/app";
        String token = iam.token(manager, "repository:" + repo + ":pull,push");
        Digest digest = pushImage(token, repo);
        o.put(Kind.IMAGE, repo + ":v1");
        o.put(Kind.DIGEST, repo + "@" + digest);
        byte[] signature = ("simple signing of " + account).getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = iam.http.put("/extensions/v2/" + repo + "/signatures/" + digest,
                JSON.createObjectNode().put("version", 2).put("type", "atomic").put("schemaVersion", 2)
                        .put("content", java.util.Base64.getEncoder().encodeToString(signature)).toString()
                        .getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer " + token, "Content-Type", "application/json");
        assertThat(put.statusCode()).as(RegistryHttp.text(put)).isLessThan(300);
        iam.api(manager, "POST", "/api/v1/image-policies", JSON.createObjectNode().put("document", """
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata: {name: %spolicy, namespace: prod}
                spec:
                  repositories:
                    - name: "*"
                      policy: {vulnerability: {enabled: true, severity: critical}}
                """.formatted(tag)).toString(), 201);
        o.put(Kind.IMAGE_POLICY, tag + "policy");
        iam.api(manager, "POST", "/api/v1/signer-keys", JSON.createObjectNode().put("name", tag + "signer")
                .put("namespace", "prod").put("publicKey", PUBLIC_KEY).toString(), 201);
        o.put(Kind.SIGNER_KEY, tag + "signer");
        JsonNode exemption = iam.api(manager, "POST", "/api/v1/exemptions", JSON.createObjectNode().put("scope", ns)
                .put("issueType", "cve").put("issueId", "CVE-2099-0001").toString(), 201);
        o.put(Kind.EXEMPTION, exemption.path("id").asText());
        iam.api(manager, "POST", "/api/v1/service-ids", "{\"name\":\"" + tag + "robot\"}", 201);
        o.put(Kind.SERVICE_ID, tag + "robot");
        JsonNode key = iam.api(manager, "POST", "/api/v1/api-keys", "{\"serviceId\":\"" + tag + "robot\"}", 201);
        o.put(Kind.API_KEY, key.path("id").asText());
        JsonNode grant = iam.api(manager, "POST", "/api/v1/policies", "{\"serviceId\":\"" + tag + "robot\","
                + "\"role\":\"Reader\",\"namespace\":\"" + ns + "\"}", 201);
        o.put(Kind.IAM_POLICY, grant.path("id").asText());
        iam.api(manager, "POST", "/api/v1/users", "{\"name\":\"" + tag + "person\"}", 201);
        iam.api(manager, "POST", "/api/v1/immutable-tags", "{\"scope\":\"" + ns + "\",\"glob\":\"release-*\"}", 201);
        iam.api(manager, "POST", "/api/v1/retention-policies", "{\"namespace\":\"" + ns + "\",\"images\":5}", 201);
        o.put(Kind.USER, tag + "person");
        JsonNode webhook = iam.api(manager, "POST", "/api/v1/webhooks", JSON.createObjectNode().put("namespace", ns)
                .put("url", "http://127.0.0.1:9/" + tag).put("events", "push,delete").toString(), 201);
        o.put(Kind.WEBHOOK, webhook.path("id").asText());
        for (Kind k : List.of(Kind.EXEMPTION, Kind.API_KEY, Kind.IAM_POLICY, Kind.WEBHOOK)) {
            usedIds.add(o.get(k));
        }
        for (JsonNode p : iam.api(manager, "GET", "/api/v1/policies", null, 200)) {
            usedIds.add(p.path("id").asText());
        }
        return o;
    }

    Digest pushImage(String token, String repo) {
        String auth = "Bearer " + token;
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = repo.getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(config, layer)) {
            HttpResponse<byte[]> r = iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                    "Authorization", auth);
            assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(201);
        }
        String manifest = Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
        HttpResponse<byte[]> r = iam.http.put("/v2/" + repo + "/manifests/v1", manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", auth);
        assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(201);
        return Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8));
    }

    /** The object of {@code kind} that exists nowhere, alike in length to {@code hidden}. */
    String missing(Kind kind, String hidden) {
        return switch (kind) {
            case EXEMPTION, API_KEY, IAM_POLICY, WEBHOOK -> {
                long n = (long) Math.pow(10, hidden.length()) - 1;
                while (usedIds.contains(Long.toString(n))) {
                    n--;
                }
                yield Long.toString(n);
            }
            case IMAGE, DIGEST -> "z".repeat(hidden.indexOf('/')) + hidden.substring(hidden.indexOf('/'));
            default -> "z".repeat(hidden.length());
        };
    }

    // --- surfaces

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String repoOf(String image) {
        int at = image.indexOf('@');
        int colon = image.lastIndexOf(':');
        return at > 0 ? image.substring(0, at) : colon > image.indexOf('/') ? image.substring(0, colon) : image;
    }

    static String digestOf(String image) {
        return image.substring(image.indexOf('@') + 1);
    }

    void api(String route, Kind kind, String method, java.util.function.Function<String, String> path,
            java.util.function.Function<String, String> body) {
        surfaces.add(new Surface(route, kind, (p, o) -> management(p, method, path.apply(o),
                body == null ? null : body.apply(o))));
    }

    void defineSurfaces() {
        // namespaces
        api("PATCH /namespaces/{name}", Kind.NAMESPACE, "PATCH", o -> "/api/v1/namespaces/" + o, o -> "{\"public\":true}");
        api("DELETE /namespaces/{name}", Kind.NAMESPACE, "DELETE", o -> "/api/v1/namespaces/" + o + "?force=true", null);
        api("GET /images", Kind.NAMESPACE, "GET", o -> "/api/v1/images?va=true&restrict=" + o, null);
        api("POST /exemptions", Kind.NAMESPACE, "POST", o -> "/api/v1/exemptions",
                o -> "{\"scope\":\"" + o + "/app\",\"issueType\":\"cve\",\"issueId\":\"CVE-2099-0002\"}");
        api("POST /policies", Kind.NAMESPACE, "POST", o -> "/api/v1/policies",
                o -> "{\"user\":\"reader\",\"role\":\"Manager\",\"namespace\":\"" + o + "\"}");
        // images
        api("GET /images/inspect", Kind.IMAGE, "GET", o -> "/api/v1/images/inspect?image=" + q(o), null);
        api("GET /va", Kind.IMAGE, "GET", o -> "/api/v1/va?image=" + q(o), null);
        api("POST /images/tag", Kind.IMAGE, "POST", o -> "/api/v1/images/tag",
                o -> "{\"source\":\"" + o + "\",\"target\":\"" + repoOf(o) + ":copy\"}");
        api("DELETE /images", Kind.IMAGE, "DELETE", o -> "/api/v1/images?image=" + q(o), null);
        api("GET /policy/check", Kind.IMAGE, "GET", o -> "/api/v1/policy/check?namespace=prod&image=" + q(host + "/" + o),
                null);
        api("GET /policy/check (digest)", Kind.DIGEST, "GET",
                o -> "/api/v1/policy/check?namespace=prod&image=" + q(host + "/" + o), null);
        for (String webhook : List.of("validate", "mutate")) {
            surfaces.add(new Surface("POST /admission/v1/" + webhook, Kind.IMAGE,
                    (p, o) -> admission(p, webhook, host + "/" + o)));
            surfaces.add(new Surface("POST /admission/v1/" + webhook + " (digest)", Kind.DIGEST,
                    (p, o) -> admission(p, webhook, host + "/" + o)));
        }
        registry("GET /v2/{repo}/manifests/{tag}", Kind.IMAGE, "GET", o -> "/v2/" + repoOf(o) + "/manifests/v1", "pull");
        registry("HEAD /v2/{repo}/manifests/{digest}", Kind.DIGEST, "HEAD",
                o -> "/v2/" + repoOf(o) + "/manifests/" + digestOf(o), "pull");
        registry("DELETE /v2/{repo}/manifests/{digest}", Kind.DIGEST, "DELETE",
                o -> "/v2/" + repoOf(o) + "/manifests/" + digestOf(o), "delete");
        registry("GET /v2/{repo}/tags/list", Kind.IMAGE, "GET", o -> "/v2/" + repoOf(o) + "/tags/list", "pull");
        registry("GET /v2/{repo}/referrers/{digest}", Kind.DIGEST, "GET",
                o -> "/v2/" + repoOf(o) + "/referrers/" + digestOf(o), "pull");
        registry("POST /v2/{repo}/blobs/uploads/", Kind.IMAGE, "POST", o -> "/v2/" + repoOf(o) + "/blobs/uploads/",
                "pull,push");
        registry("GET /extensions/v2/{repo}/signatures/{digest}", Kind.DIGEST, "GET",
                o -> "/extensions/v2/" + repoOf(o) + "/signatures/" + digestOf(o), "pull");
        registry("PUT /extensions/v2/{repo}/signatures/{digest}", Kind.DIGEST, "PUT",
                o -> "/extensions/v2/" + repoOf(o) + "/signatures/" + digestOf(o), "pull,push");
        surfaces.add(new Surface("GET /token", Kind.IMAGE, this::token));
        // image policies, signer keys, exemptions
        api("DELETE /image-policies", Kind.IMAGE_POLICY, "DELETE",
                o -> "/api/v1/image-policies?kind=IMAGE_POLICY&namespace=prod&name=" + o, null);
        api("GET /image-policies", Kind.IMAGE_POLICY, "GET", o -> "/api/v1/image-policies", null);
        api("GET /signer-keys", Kind.SIGNER_KEY, "GET", o -> "/api/v1/signer-keys", null);
        api("DELETE /signer-keys", Kind.SIGNER_KEY, "DELETE", o -> "/api/v1/signer-keys?namespace=prod&name=" + o, null);
        api("GET /exemptions", Kind.EXEMPTION, "GET", o -> "/api/v1/exemptions", null);
        api("DELETE /exemptions/{id}", Kind.EXEMPTION, "DELETE", o -> "/api/v1/exemptions/" + o, null);
        // webhooks (issue 21)
        api("POST /webhooks", Kind.NAMESPACE, "POST", o -> "/api/v1/webhooks",
                o -> "{\"namespace\":\"" + o + "\",\"url\":\"http://127.0.0.1:9/matrix\",\"events\":\"push\"}");
        api("GET /webhooks?namespace=", Kind.NAMESPACE, "GET", o -> "/api/v1/webhooks?namespace=" + o, null);
        api("DELETE /webhooks/{id}", Kind.WEBHOOK, "DELETE", o -> "/api/v1/webhooks/" + o, null);
        api("GET /webhook-deliveries", Kind.WEBHOOK, "GET", o -> "/api/v1/webhook-deliveries?webhook=" + o, null);
        // service IDs, users, API keys, IAM policies
        api("DELETE /service-ids/{name}", Kind.SERVICE_ID, "DELETE", o -> "/api/v1/service-ids/" + o, null);
        api("POST /api-keys (service ID)", Kind.SERVICE_ID, "POST", o -> "/api/v1/api-keys", o -> "{\"serviceId\":\"" + o + "\"}");
        api("GET /api-keys (service ID)", Kind.SERVICE_ID, "GET", o -> "/api/v1/api-keys?serviceId=" + o, null);
        api("POST /policies (service ID)", Kind.SERVICE_ID, "POST", o -> "/api/v1/policies",
                o -> "{\"serviceId\":\"" + o + "\",\"role\":\"Manager\"}");
        api("DELETE /users/{name}", Kind.USER, "DELETE", o -> "/api/v1/users/" + o, null);
        api("POST /api-keys (user)", Kind.USER, "POST", o -> "/api/v1/api-keys", o -> "{\"user\":\"" + o + "\"}");
        api("GET /api-keys (user)", Kind.USER, "GET", o -> "/api/v1/api-keys?user=" + o, null);
        api("DELETE /api-keys/{id}", Kind.API_KEY, "DELETE", o -> "/api/v1/api-keys/" + o, null);
        api("DELETE /policies/{id}", Kind.IAM_POLICY, "DELETE", o -> "/api/v1/policies/" + o, null);
        api("GET /policies", Kind.IAM_POLICY, "GET", o -> "/api/v1/policies", null);
        // the storage lifecycle (issue 20): immutable-tag rules per namespace, quotas per account
        api("POST /immutable-tags", Kind.NAMESPACE, "POST", o -> "/api/v1/immutable-tags",
                o -> "{\"scope\":\"" + o + "/app\",\"glob\":\"v*\"}");
        api("GET /immutable-tags", Kind.NAMESPACE, "GET", o -> "/api/v1/immutable-tags?namespace=" + o, null);
        api("DELETE /immutable-tags", Kind.NAMESPACE, "DELETE",
                o -> "/api/v1/immutable-tags?scope=" + o + "&glob=release-*", null);
        api("GET /trash", Kind.NAMESPACE, "GET", o -> "/api/v1/trash?namespace=" + o, null);
        api("GET /trash?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/trash?account=" + o, null);
        api("POST /images/restore", Kind.IMAGE, "POST", o -> "/api/v1/images/restore", o -> "{\"image\":\"" + o + "\"}");
        api("POST /images/restore (digest)", Kind.DIGEST, "POST", o -> "/api/v1/images/restore",
                o -> "{\"image\":\"" + o + "\"}");
        api("GET /immutable-tags?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/immutable-tags?account=" + o, null);
        // retention (issue 20 point 3): a policy per namespace, runs by the namespace's Managers
        api("POST /retention-policies", Kind.NAMESPACE, "POST", o -> "/api/v1/retention-policies",
                o -> "{\"namespace\":\"" + o + "\",\"images\":1}");
        api("GET /retention-policies", Kind.NAMESPACE, "GET", o -> "/api/v1/retention-policies?namespace=" + o, null);
        api("GET /retention-policies?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/retention-policies?account=" + o, null);
        api("POST /retention/run", Kind.NAMESPACE, "POST", o -> "/api/v1/retention/run",
                o -> "{\"namespace\":\"" + o + "\"}");
        api("POST /retention/run (dry)", Kind.NAMESPACE, "POST", o -> "/api/v1/retention/run",
                o -> "{\"namespace\":\"" + o + "\",\"dryRun\":true}");
        api("POST /images/prune-untagged", Kind.NAMESPACE, "POST", o -> "/api/v1/images/prune-untagged",
                o -> "{\"namespace\":\"" + o + "\"}");
        api("GET /quota?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/quota?account=" + o, null);
        api("POST /quota (account)", Kind.ACCOUNT, "POST", o -> "/api/v1/quota",
                o -> "{\"account\":\"" + o + "\",\"storage\":\"1KB\"}");
        // accounts named in a request
        api("GET /principals?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/principals?account=" + o, null);
        api("GET /policies?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/policies?account=" + o, null);
        api("GET /exemptions?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/exemptions?account=" + o, null);
        api("GET /image-policies?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/image-policies?account=" + o, null);
        api("GET /signer-keys?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/signer-keys?account=" + o, null);
        api("GET /api-keys?account=", Kind.ACCOUNT, "GET", o -> "/api/v1/api-keys?user=reader&account=" + o, null);
        api("GET /policy/check?account=", Kind.ACCOUNT, "GET",
                o -> "/api/v1/policy/check?account=" + o + "&image=" + q(host + "/acme-dev/app:v1"), null);
        api("POST /namespaces (account)", Kind.ACCOUNT, "POST", o -> "/api/v1/namespaces",
                o -> "{\"account\":\"" + o + "\",\"name\":\"matrix-new\"}");
        api("POST /service-ids (account)", Kind.ACCOUNT, "POST", o -> "/api/v1/service-ids",
                o -> "{\"account\":\"" + o + "\",\"name\":\"matrixbot\"}");
        api("POST /users (account)", Kind.ACCOUNT, "POST", o -> "/api/v1/users",
                o -> "{\"account\":\"" + o + "\",\"name\":\"matrixuser\"}");
        api("POST /image-policies (account)", Kind.ACCOUNT, "POST", o -> "/api/v1/image-policies",
                o -> JSON.createObjectNode().put("account", o).put("document",
                        "apiVersion: slipway.io/v1\nkind: ImagePolicy\nmetadata: {name: planted, namespace: prod}\n"
                                + "spec: {repositories: [{name: \"*\", policy: {}}]}\n").toString());
        api("POST /signer-keys (account)", Kind.ACCOUNT, "POST", o -> "/api/v1/signer-keys",
                o -> JSON.createObjectNode().put("account", o).put("name", "planted").put("publicKey", PUBLIC_KEY)
                        .toString());
        api("DELETE /exemptions/{id}?account=", Kind.ACCOUNT, "DELETE", o -> "/api/v1/exemptions/1?account=" + o, null);
        api("DELETE /service-ids/{name}?account=", Kind.ACCOUNT, "DELETE", o -> "/api/v1/service-ids/ci?account=" + o, null);
        api("DELETE /image-policies?account=", Kind.ACCOUNT, "DELETE",
                o -> "/api/v1/image-policies?kind=IMAGE_POLICY&namespace=prod&name=acmepolicy&account=" + o, null);
        api("DELETE /signer-keys?account=", Kind.ACCOUNT, "DELETE",
                o -> "/api/v1/signer-keys?namespace=prod&name=acmesigner&account=" + o, null);
    }

    // --- the Registry Console (issue 22): the same probes through its pages and forms, signed in as each prober

    /** Console routes with no tenant object to probe: the caller's own view or account, or sign-in itself. */
    static final Set<String> CONSOLE_WITHOUT_OBJECT = Set.of("/console/login", "/console/logout", "/console/namespaces",
            "/console/access", "/console/image-policies", "/console/audit",
            "/console/storage"); // the caller's own account: quota, its trash, its retention policies

    /** Per prober: the console session cookie and its CSRF token (none for a registry token or anonymous). */
    final Map<String, String[]> consoleSessions = new java.util.HashMap<>();

    void console(String route, Kind kind, String method, java.util.function.Function<String, String> target) {
        surfaces.add(new Surface(route, kind, (p, o) -> console(p, method, target.apply(o))));
    }

    void defineConsoleSurfaces() {
        console("GET /console/images", Kind.NAMESPACE, "GET", o -> "/console/images?namespace=" + o);
        console("GET /console/image", Kind.DIGEST, "GET", o -> "/console/image?ref=" + q(o));
        console("GET /console/issues", Kind.DIGEST, "GET", o -> "/console/issues?ref=" + q(o));
        console("GET /console/issues (tag)", Kind.IMAGE, "GET", o -> "/console/issues?ref=" + q(o));
        console("POST /console/rescan", Kind.DIGEST, "POST", o -> "/console/rescan|ref=" + q(o));
        console("POST /console/exemptions", Kind.NAMESPACE, "POST", o -> "/console/exemptions|scope=" + q(o + "/app")
                + "&issueType=cve&issueId=CVE-2099-0003&reason=matrix&ref=" + q(o + "/app:v1"));
        console("POST /console/exemptions/delete", Kind.EXEMPTION, "POST", o -> "/console/exemptions/delete|id=" + o);
        console("POST /console/namespaces/public", Kind.NAMESPACE, "POST", o -> "/console/namespaces/public|name=" + o
                + "&public=true");
        console("POST /console/api-keys", Kind.SERVICE_ID, "POST", o -> "/console/api-keys|kind=service&name=" + o);
        console("POST /console/api-keys (user)", Kind.USER, "POST", o -> "/console/api-keys|kind=user&name=" + o);
        console("POST /console/namespaces/delete", Kind.NAMESPACE, "POST", o -> "/console/namespaces/delete|name=" + o);
        console("POST /console/trash/restore", Kind.DIGEST, "POST", o -> "/console/trash/restore|image=" + q(o));
    }

    /** A console request as the prober's browser would send it ({@code path|form} for a POST). */
    Answer console(Prober p, String method, String target) {
        String[] session = consoleSession(p);
        String path = method.equals("POST") ? target.substring(0, target.indexOf('|')) : target;
        var b = iam.http.request(path);
        if (session != null) {
            b.header("Cookie", "slipway_console=" + session[0]);
        }
        if (method.equals("POST")) {
            String form = target.substring(target.indexOf('|') + 1) + (session == null ? "" : "&csrf=" + q(session[1]));
            b.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        }
        return answer(iam.http.send(b.build()));
    }

    /** Signs the prober in through the console's form, once; null for those who cannot sign in. */
    String[] consoleSession(Prober p) {
        if (p.registryToken() != null || p.anonymous()) {
            return null;
        }
        return consoleSessions.computeIfAbsent(p.name(), n -> {
            HttpResponse<byte[]> login = iam.http.get("/console/login");
            String loginCookie = login.headers().allValues("Set-Cookie").stream()
                    .filter(c -> c.startsWith("slipway_console_login=")).findFirst().orElseThrow().split(";")[0];
            String csrf = csrfOf(login);
            String form = "csrf=" + q(csrf) + (p.password() != null ? "&user=" + q(p.user()) + "&password=" + q(p.password())
                    : "&apiKey=" + q(p.apiKey()));
            HttpResponse<byte[]> r = iam.http.send(iam.http.request("/console/login").header("Cookie", loginCookie)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build());
            assertThat(r.statusCode()).as(p.name() + " signs in to the console: " + RegistryHttp.text(r)).isEqualTo(303);
            String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("slipway_console="))
                    .findFirst().orElseThrow().split(";")[0].substring("slipway_console=".length());
            HttpResponse<byte[]> page = iam.http.get("/console/namespaces", "Cookie", "slipway_console=" + cookie);
            return new String[] {cookie, csrfOf(page)};
        });
    }

    static String csrfOf(HttpResponse<byte[]> page) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(RegistryHttp.text(page));
        assertThat(m.find()).as(RegistryHttp.text(page)).isTrue();
        return m.group(1);
    }

    @Test
    void everyConsoleRouteIsInTheMatrix() throws Exception {
        String handler = Files.readString(Path.of("src/main/java/io/slipway/registry/console/ConsoleHandler.java"));
        Matcher m = Pattern.compile("case \"(/console/[a-z/-]*)\"").matcher(handler);
        Set<String> probed = new HashSet<>();
        surfaces.forEach(s -> probed.add(s.route().replaceAll(" \\(.*\\)$", "").replaceAll("^[A-Z]+ ", "")));
        List<String> uncovered = new ArrayList<>();
        int routes = 0;
        while (m.find()) {
            routes++;
            if (!probed.contains(m.group(1)) && !CONSOLE_WITHOUT_OBJECT.contains(m.group(1))) {
                uncovered.add(m.group(1));
            }
        }
        assertThat(routes).isGreaterThan(10);
        assertThat(uncovered).as("console routes missing from the tenant matrix").isEmpty();
    }

    /** Listings: the probe's name is not in the request; a leak shows as the other account's name in the answer. */
    static final Set<String> LISTINGS = Set.of("GET /image-policies", "GET /signer-keys", "GET /exemptions",
            "GET /policies");

    /** Routes with no tenant object to probe: the caller's own view, or administrator-only. */
    static final Set<String> WITHOUT_OBJECT = Set.of("GET /whoami", "GET /accounts", "POST /accounts", "GET /namespaces",
            "POST /namespaces", "POST /users", "POST /service-ids", "GET /principals", "GET /api-keys", "POST /api-keys",
            "POST /image-policies", "POST /signer-keys", "GET /audit",
            // the advisory database, registry-wide and the administrator's (issue 16)
            "GET /va/db", "POST /va/db/import",
            // garbage collection, registry-wide and the administrator's (issue 20)
            "POST /gc");

    void registry(String route, Kind kind, String method, java.util.function.Function<String, String> path, String actions) {
        surfaces.add(new Surface(route, kind, (p, o) -> {
            String auth = registryAuthorization(p, "repository:" + repoOf(o) + ":" + actions);
            var b = iam.http.request(path.apply(o));
            if (auth != null) {
                b.header("Authorization", auth);
            }
            byte[] body = method.equals("PUT") ? "{\"version\":2,\"type\":\"atomic\",\"content\":\"eA==\"}"
                    .getBytes(StandardCharsets.UTF_8) : new byte[0];
            b.method(method, method.equals("GET") || method.equals("HEAD") || method.equals("DELETE")
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            return answer(iam.http.send(b.build()));
        }));
    }

    String registryAuthorization(Prober p, String scope) {
        if (p.registryToken() != null) {
            return "Bearer " + p.registryToken();
        }
        if (p.anonymous()) {
            return null;
        }
        try {
            String url = "/token?service=slipway&scope=" + q(scope);
            HttpResponse<byte[]> r = iam.http.get(url, "Authorization", basicOf(p));
            assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(200);
            return "Bearer " + JSON.readTree(r.body()).path("token").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String basicOf(Prober p) {
        return p.password() != null ? IamFixture.basic(p.user(), p.password()) : IamFixture.basic("iamapikey", p.apiKey());
    }

    /** The credential the management API and the webhook are shown. */
    static String managementAuthorization(Prober p) {
        if (p.registryToken() != null) {
            return "Bearer " + p.registryToken();
        }
        if (p.anonymous()) {
            return null;
        }
        return p.bearerKey() ? "Bearer " + p.apiKey() : basicOf(p);
    }

    Answer management(Prober p, String method, String path, String body) {
        var b = iam.http.request(path).header("Content-Type", "application/json");
        String auth = managementAuthorization(p);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return answer(iam.http.send(b.build()));
    }

    Answer admission(Prober p, String webhook, String image) {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"matrix",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"prod","operation":"CREATE",
                 "object":{"kind":"Pod","spec":{"containers":[{"name":"c","image":"%s"}]}}}}
                """.formatted(image);
        var b = iam.admission.request("/admission/v1/" + webhook).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review));
        String auth = managementAuthorization(p);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return answer(iam.admission.send(b.build()));
    }

    /** The token endpoint: what the token grants stands for its (random, time-stamped) text. */
    Answer token(Prober p, String image) {
        String url = "/token?service=slipway&scope=" + q("repository:" + repoOf(image) + ":pull,push,delete");
        HttpResponse<byte[]> r = p.anonymous() || p.registryToken() != null ? iam.http.get(url)
                : iam.http.get(url, "Authorization", basicOf(p));
        Answer a = answer(r);
        if (r.statusCode() != 200) {
            return a;
        }
        try {
            JsonNode access = IamFixture.access(JSON.readTree(r.body()).path("token").asText());
            Map<String, String> headers = new TreeMap<>(a.headers());
            headers.remove("content-length");
            return new Answer(a.status(), headers, "access=" + access);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Answer answer(HttpResponse<byte[]> r) {
        Map<String, String> headers = new TreeMap<>();
        r.headers().map().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("date")) {
                headers.put(k.toLowerCase(), String.join(",", v));
            }
        });
        String body = new String(r.body(), StandardCharsets.UTF_8);
        // Every answer carries its request's own random id (header, and error bodies): written alike,
        // after checking it is there, as a fresh id cannot tell two objects apart.
        String id = headers.remove("x-request-id");
        assertThat(id).as("X-Request-Id of " + r.request().uri()).isNotBlank();
        body = body.replace(id, "<REQUEST-ID>");
        return new Answer(r.statusCode(), headers, body);
    }

    /** What differs between the two objects' names: an image's namespace, else the whole name. */
    static String word(Kind kind, String name) {
        return kind == Kind.IMAGE || kind == Kind.DIGEST ? name.substring(0, name.indexOf('/')) : name;
    }

    /** Writes {@code name} as a placeholder wherever it stands as a whole word. */
    static String alike(String text, String name) {
        // An id only where a message or path names it ("no API key 12", "/api-keys/12"), never inside
        // a time stamp; replacing less can only show more differences, never hide one.
        String pattern = name.chars().allMatch(Character::isDigit)
                ? "(?<=[ /=])" + Pattern.quote(name) + "(?![0-9.:])"
                : "(?<![A-Za-z0-9_.-])" + Pattern.quote(name) + "(?![A-Za-z0-9_])";
        return Pattern.compile(pattern).matcher(text).replaceAll(Matcher.quoteReplacement("<OBJECT>"));
    }

    static Answer alike(Answer a, String name) {
        Map<String, String> headers = new TreeMap<>();
        a.headers().forEach((k, v) -> headers.put(k, alike(v, name)));
        return new Answer(a.status(), headers, alike(a.body(), name));
    }

    // --- the matrix

    @Test
    void everyProbeOfAnotherAccountsObjectAnswersExactlyAsAMissingOne() throws Exception {
        List<String> differences = new ArrayList<>();
        int probes = 0;
        Set<String> objectsProbed = new HashSet<>();
        for (Prober p : probers) {
            String other = p.account().equals("acme") ? "globex" : "acme";
            for (Surface s : surfaces) {
                String hidden = objects.get(other).get(s.kind());
                String absent = missing(s.kind(), hidden);
                assertThat(absent).hasSameSizeAs(hidden);
                Answer a = alike(s.probe().apply(p, hidden), word(s.kind(), hidden));
                Answer b = alike(s.probe().apply(p, absent), word(s.kind(), absent));
                probes++;
                objectsProbed.add(other + ":" + s.kind());
                if (!a.equals(b)) {
                    differences.add(p.name() + " × " + s.route() + " × " + s.kind() + " " + hidden + "\n  hidden:  " + a
                            + "\n  missing: " + b);
                }
            }
        }
        System.out.printf("tenant matrix: %d principals x %d surfaces x %d objects (hidden and missing) = %d probe pairs,"
                + " %d differences%n", probers.size(), surfaces.size(), objectsProbed.size(), probes, differences.size());
        assertThat(differences).as(String.join("\n", differences)).isEmpty();

        // Nothing of either account was changed, replaced or removed by all those attempts.
        for (String account : List.of("acme", "globex")) {
            Map<Kind, String> o = objects.get(account);
            String manager = account.equals("acme") ? iam.keys.get("manager") : iam.keys.get("globex");
            assertThat(iam.api(manager, "GET", "/api/v1/image-policies", null, 200).toString())
                    .contains(o.get(Kind.IMAGE_POLICY)).doesNotContain("planted");
            assertThat(iam.api(manager, "GET", "/api/v1/signer-keys", null, 200).toString())
                    .contains(o.get(Kind.SIGNER_KEY)).doesNotContain("planted");
            assertThat(iam.api(manager, "GET", "/api/v1/exemptions", null, 200).toString())
                    .contains("CVE-2099-0001").doesNotContain("CVE-2099-0002");
            assertThat(iam.api(manager, "GET", "/api/v1/principals", null, 200).toString())
                    .contains(o.get(Kind.SERVICE_ID)).contains(o.get(Kind.USER)).doesNotContain("matrix");
            assertThat(iam.api(manager, "GET", "/api/v1/images/inspect?image=" + q(o.get(Kind.IMAGE)), null, 200)
                    .path("tags").toString()).isEqualTo("[\"v1\"]");
            assertThat(iam.api(manager, "GET", "/api/v1/namespaces", null, 200).toString())
                    .contains(o.get(Kind.NAMESPACE)).doesNotContain("matrix-new");
            assertThat(iam.api(manager, "GET", "/api/v1/immutable-tags", null, 200).toString())
                    .contains("release-*").doesNotContain("v*");
            assertThat(iam.api(manager, "GET", "/api/v1/retention-policies", null, 200).toString())
                    .contains("\"images\":5").doesNotContain("\"images\":1,");
            assertThat(iam.api(manager, "GET", "/api/v1/quota", null, 200).path("storage").path("limit").isNull()).isTrue();
            assertThat(iam.api(manager, "GET", "/api/v1/webhooks", null, 200).toString())
                    .contains("\"id\":" + o.get(Kind.WEBHOOK) + ",").doesNotContain("matrix");
        }
    }

    /** The probes tell something apart: the owner's own view of the same objects differs from a missing one's. */
    @Test
    void theProbesDiscriminateForTheOwner() {
        Prober owner = probers.get(0); // acme's Manager, looking at acme's own objects
        List<String> blind = new ArrayList<>();
        for (Surface s : surfaces) {
            if (!s.route().startsWith("GET ") || s.kind() == Kind.ACCOUNT || LISTINGS.contains(s.route())) {
                continue; // only reads of one object: a write would change what the other test probes
            }
            String own = objects.get("acme").get(s.kind());
            String absent = missing(s.kind(), own);
            Answer a = alike(s.probe().apply(owner, own), word(s.kind(), own));
            Answer b = alike(s.probe().apply(owner, absent), word(s.kind(), absent));
            if (a.equals(b)) {
                blind.add(s.route());
            }
        }
        assertThat(blind).isEmpty();
    }

    @Test
    void everyManagementRouteIsInTheMatrix() throws Exception {
        // The routes the running server's router serves, so a new route cannot skip the matrix.
        Set<String> probed = new HashSet<>();
        surfaces.forEach(s -> probed.add(s.route().replaceAll(" \\(.*\\)$", "").replaceAll("\\?.*$", "")));
        List<String> uncovered = new ArrayList<>();
        int routes = 0;
        for (String route : iam.server.managementRoutes()) {
            routes++;
            if (route.endsWith("/{name}")) {
                String prefix = route.substring(0, route.length() - "{name}".length());
                if (probed.stream().noneMatch(r -> r.startsWith(prefix))) {
                    uncovered.add(route);
                }
            } else if (!probed.contains(route) && !WITHOUT_OBJECT.contains(route)) {
                uncovered.add(route);
            }
        }
        assertThat(routes).isGreaterThan(20);
        // Every admission endpoint any handler serves, too.
        try (var files = Files.list(Path.of("src/main/java/io/slipway/registry/http"))) {
            for (Path f : files.toList()) {
                Matcher a = Pattern.compile("\"(/admission/v1/[a-z-]+)\"").matcher(Files.readString(f));
                while (a.find()) {
                    String route = "POST " + a.group(1);
                    if (probed.stream().noneMatch(r -> r.equals(route))) {
                        uncovered.add(route);
                    }
                }
            }
        }
        assertThat(uncovered).as("routes missing from the tenant matrix").isEmpty();
    }
}
