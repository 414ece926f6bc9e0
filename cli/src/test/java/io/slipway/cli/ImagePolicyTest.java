package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.trust.Image;
import io.slipway.trust.cosign.CosignSigner;
import io.slipway.trust.cosign.SignatureArtifact;
import io.slipway.trust.cosign.SignatureManifest;
import io.slipway.trust.keys.EcKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image-security enforcement over a table of images — signed, unsigned, vulnerable, exempted,
 * outside every policy, unknown — through {@code slipway policy check} and the admission webhook.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImagePolicyTest {
    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;
    String host;
    KeyPair release;


    CliRun as(String key, String... args) {
        return CliRun.as(url, key, args);
    }

    @BeforeAll
    void start() throws Exception {
        Path data = tmp.resolve("data");
        iam = new IamFixture(data);
        url = iam.server.uri().toString();
        host = "127.0.0.1:" + iam.server.port();
        Path record = Path.of(getClass().getResource("/advisories/GHSA-jfh8-c2jp-5v3q.json").toURI());
        assertThat(Slipway.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "va", "db", "import", "--data", data.toString(), record.toString())).isZero();
        iam.server.scans().sweep();

        release = EcKeys.generateP256(new SecureRandom());
        Path pub = tmp.resolve("release.pub");
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(release.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        String admin = iam.adminKey;
        CliRun key = as(admin, "policy", "key-add", "release", "--cluster", "--public-key", pub.toString());
        assertThat(key.code()).as(key.err()).isZero();
        Path policy = tmp.resolve("policy.yaml");
        Files.writeString(policy, """
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata:
                  name: production
                  namespace: prod
                spec:
                  repositories:
                    - name: "%s/acme-dev/*"
                      policy:
                        trust:
                          signerKeys:
                            - name: release
                        vulnerability:
                          severity: high
                """.formatted(host));
        CliRun applied = as(iam.keys.get("manager"), "policy", "apply", "-f", policy.toString());
        assertThat(applied.code()).as(applied.err()).isZero();
        assertThat(as(iam.keys.get("reader"), "policy", "apply", "-f", policy.toString()).code())
                .isEqualTo(Slipway.REFUSED);

        push("acme-dev/signed", "2.17.1", true);
        push("acme-dev/unsigned", "2.17.1", false);
        push("acme-dev/vulnerable", "2.14.1", true);
    }

    @AfterAll
    void stop() throws Exception {
        iam.close();
    }

    void push(String repo, String log4j, boolean sign) throws Exception {
        String token = iam.token(iam.keys.get("ci"), "repository:" + repo + ":pull,push");
        byte[] config = VulnerabilityAdvisorTest.config();
        byte[] layer = VulnerabilityAdvisorTest.layer(tmp, log4j);
        for (byte[] blob : List.of(config, layer)) {
            upload(repo, token, blob);
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_TAR_GZIP + "\",\"digest\":\""
                + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}";
        var r = iam.http.put("/v2/" + repo + "/manifests/1", manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(201);
        Digest digest = Digest.parse(r.headers().firstValue("Docker-Content-Digest").orElseThrow());
        if (sign) {
            var signature = new CosignSigner((ECPrivateKey) release.getPrivate(), Clock.systemUTC())
                    .sign(Image.of(host + "/" + repo + ":1", digest));
            SignatureArtifact artifact = SignatureManifest.empty().add(signature).toTagForm(digest);
            for (SignatureArtifact.Blob blob : artifact.blobs()) {
                upload(repo, token, blob.content());
            }
            var put = iam.http.put("/v2/" + repo + "/manifests/" + artifact.tag(), artifact.manifest(),
                    "Content-Type", artifact.mediaType(), "Authorization", "Bearer " + token);
            assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(201);
        }
        assertThat(iam.server.scans().idle(30_000)).isTrue();
    }

    void upload(String repo, String token, byte[] blob) {
        var r = iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(201);
    }

    JsonNode check(String image) throws Exception {
        CliRun r = as(iam.keys.get("reader"), "policy", "check", image, "--namespace", "prod", "--output", "json");
        assertThat(r.code()).as(r.err()).isIn(0, Slipway.POLICY_DENIED);
        JsonNode d = Credentials.JSON.readTree(r.out());
        assertThat(r.code() == 0).isEqualTo(d.path("allowed").asBoolean());
        return d;
    }

    @Test
    void decisionsOverATableOfImages() throws Exception {
        assertThat(check(host + "/acme-dev/signed:1").path("allowed").asBoolean()).isTrue();

        JsonNode unsigned = check(host + "/acme-dev/unsigned:1");
        assertThat(unsigned.path("allowed").asBoolean()).isFalse();
        assertThat(unsigned.toString()).contains("trust");

        JsonNode vulnerable = check(host + "/acme-dev/vulnerable:1");
        assertThat(vulnerable.path("allowed").asBoolean()).isFalse();
        assertThat(vulnerable.toString()).contains("CVE-2021-44228");

        JsonNode outside = check(host + "/globex-app/app:1");
        assertThat(outside.path("allowed").asBoolean()).isFalse();

        JsonNode unknown = check(host + "/acme-dev/nothing:1");
        assertThat(unknown.path("allowed").asBoolean()).isFalse();
        assertThat(unknown.toString()).contains("not in this registry");

        // The text form names every reason, and a denial has its own exit code.
        CliRun text = as(iam.keys.get("reader"), "policy", "check", host + "/acme-dev/vulnerable:1", "--namespace", "prod");
        assertThat(text.code()).isEqualTo(Slipway.POLICY_DENIED);
        assertThat(text.out()).startsWith("DENY ").contains("FAIL ");

        // An exemption of the finding lets the vulnerable image through.
        assertThat(as(iam.keys.get("manager"), "cr", "exemption-add", "--scope", "acme-dev/vulnerable",
                "--issue-type", "cve", "--issue-id", "CVE-2021-44228").code()).isZero();
        assertThat(check(host + "/acme-dev/vulnerable:1").path("allowed").asBoolean()).isTrue();
    }

    @Test
    void admissionWebhookDeniesWorkloadsWithAnImageThatFails() throws Exception {
        String deployment = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
                 "kind":{"group":"apps","version":"v1","kind":"Deployment"},"namespace":"prod","operation":"CREATE",
                 "object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod"},
                  "spec":{"template":{"spec":{
                    "initContainers":[{"name":"init","image":"%s/acme-dev/signed:1"}],
                    "containers":[{"name":"web","image":"%s/acme-dev/unsigned:1"}]}}}}}}
                """.formatted(host, host);
        // The API server authenticates with a bearer API key from the webhook's kubeconfig.
        String cluster = "Bearer " + iam.keys.get("reader");
        var r = iam.admission.post("/admission/v1/validate", deployment.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json", "Authorization", cluster);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode response = Credentials.JSON.readTree(r.body()).path("response");
        assertThat(response.path("uid").asText()).isEqualTo("u-1");
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asText()).contains("acme-dev/unsigned:1")
                .doesNotContain("acme-dev/signed:1 denied");

        String cronJob = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-2",
                 "kind":{"group":"batch","version":"v1","kind":"CronJob"},"namespace":"prod","operation":"CREATE",
                 "object":{"kind":"CronJob","spec":{"jobTemplate":{"spec":{"template":{"spec":{
                   "containers":[{"name":"job","image":"%s/acme-dev/signed:1"}]}}}}}}}}
                """.formatted(host);
        JsonNode ok = Credentials.JSON.readTree(iam.admission.post("/admission/v1/validate",
                cronJob.getBytes(StandardCharsets.UTF_8), "Authorization", cluster).body()).path("response");
        assertThat(ok.path("allowed").asBoolean()).isTrue();
        // Without credentials the same review is denied, naming no image and no finding.
        JsonNode anonymous = Credentials.JSON.readTree(iam.admission.post("/admission/v1/validate",
                cronJob.getBytes(StandardCharsets.UTF_8)).body()).path("response");
        assertThat(anonymous.path("allowed").asBoolean()).isFalse();
        assertThat(anonymous.path("status").path("code").asInt()).isEqualTo(401);
        assertThat(anonymous.path("status").path("message").asText()).contains("did not authenticate")
                .doesNotContain("acme-dev");
        // globex's cluster identity may not pull acme's images: they are unknown to it.
        JsonNode globex = Credentials.JSON.readTree(iam.admission.post("/admission/v1/validate",
                cronJob.getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + iam.keys.get("globex")).body())
                .path("response");
        assertThat(globex.path("allowed").asBoolean()).isFalse();
        assertThat(globex.path("status").path("message").asText()).contains("is not in this registry")
                .doesNotContain("signature").doesNotContain("CVE");

        assertThat(iam.admission.post("/admission/v1/validate", "{\"nope\":1}".getBytes()).statusCode()).isEqualTo(400);
        assertThat(iam.admission.post("/admission/v1/validate", "not json".getBytes()).statusCode()).isEqualTo(400);
    }

    String digestOf(String repo) throws Exception {
        String token = iam.token(iam.keys.get("reader"), "repository:" + repo + ":pull");
        return iam.http.head("/v2/" + repo + "/manifests/1", "Authorization", "Bearer " + token)
                .headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    static String values(String repository, String tag) {
        return "# what ArgoCD deploys\nimage:\n  repository: " + repository + "\n  tag: \"" + tag + "\"\n";
    }

    @Test
    void promotionCopiesTheImageAndWritesProductionOnlyWhenThePolicyAllows() throws Exception {
        String signed = digestOf("acme-dev/signed");
        Path bare = DeployCommandTest.gitopsRepository(tmp.resolve("promote"), java.util.Map.of(
                "envs/dev/values.yaml", values(host + "/acme-dev/signed", "1@" + signed),
                "envs/prod/values.yaml", values(host + "/acme-prod/signed", "0.9")));
        CliRun promoted = as(iam.keys.get("manager"), "promote", "--gitops", bare.toUri().toString(),
                "--from", "envs/dev/values.yaml", "--to", "envs/prod/values.yaml", "--chart", "charts/app",
                "--to-namespace", "acme-prod");
        assertThat(promoted.code()).as(promoted.out() + promoted.err()).isZero();
        assertThat(promoted.out()).startsWith("Promoted " + host + "/acme-prod/signed:1@" + signed);
        Path check = tmp.resolve("promote-check");
        try (var git = org.eclipse.jgit.api.Git.cloneRepository().setURI(bare.toUri().toString())
                .setDirectory(check.toFile()).call()) {
            assertThat(Files.readString(check.resolve("envs/prod/values.yaml")))
                    .isEqualTo(values(host + "/acme-prod/signed", "1@" + signed));
        }
        // The copy is in the production namespace, server-side, with the same digest, and its
        // cosign signature came along: the copy passes a policy that trusts the signer too.
        assertThat(digestOf("acme-prod/signed")).isEqualTo(signed);
        String token = iam.token(iam.keys.get("reader"), "repository:acme-prod/signed:pull");
        assertThat(iam.http.head("/v2/acme-prod/signed/manifests/sha256-" + signed.substring(7) + ".sig",
                "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);

        // An unsigned image is not promoted, and production is left as it was.
        String unsigned = digestOf("acme-dev/unsigned");
        Path bare2 = DeployCommandTest.gitopsRepository(tmp.resolve("promote2"), java.util.Map.of(
                "envs/dev/values.yaml", values(host + "/acme-dev/unsigned", "1@" + unsigned),
                "envs/prod/values.yaml", values(host + "/acme-prod/unsigned", "0.9")));
        CliRun denied = as(iam.keys.get("manager"), "promote", "--gitops", bare2.toUri().toString(),
                "--from", "envs/dev/values.yaml", "--to", "envs/prod/values.yaml", "--chart", "charts/app",
                "--to-namespace", "acme-prod");
        assertThat(denied.code()).isEqualTo(Slipway.POLICY_DENIED);
        assertThat(denied.out()).startsWith("DENY ").contains("trust");
    }
}
