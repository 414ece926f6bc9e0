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
 * Admission judges the image the kubelet will pull: the registry host decides whose image it is
 * (another registry's is denied unless a policy names that host, and then only with requirements
 * that can be checked and a digest), and the mutating webhook pins every container image to the
 * digest that was judged, so moving the tag afterwards changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdmissionPinningTest {
    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;
    String host;
    KeyPair release;

    @BeforeAll
    void start() throws Exception {
        iam = new IamFixture(tmp.resolve("data"));
        url = iam.server.uri().toString();
        host = "127.0.0.1:" + iam.server.port();
        release = EcKeys.generateP256(new SecureRandom());
        Path pub = tmp.resolve("release.pub");
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(release.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        assertThat(as(iam.adminKey, "policy", "key-add", "release", "--cluster", "--public-key", pub.toString()).code()).isZero();
        apply("""
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata: {name: production, namespace: prod}
                spec:
                  repositories:
                    - name: "%1$s/acme-dev/*"
                      policy:
                        trust:
                          signerKeys: [{name: release}]
                    - name: "mirror.example/*"
                    - name: "secure.example/*"
                      policy:
                        trust:
                          signerKeys: [{name: release}]
                """.formatted(host));
        apply("""
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata: {name: open, namespace: open}
                spec:
                  repositories:
                    - name: "*"
                """);
    }

    @AfterAll
    void stop() throws Exception {
        iam.close();
    }

    @Test
    void theMutatingWebhookPinsEveryContainerToTheJudgedDigest() throws Exception {
        Digest first = push("acme-dev/web", "1", "first", true);
        Digest init = push("acme-dev/init", "1", "init", true);
        String deployment = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-9",
                 "kind":{"group":"apps","version":"v1","kind":"Deployment"},"namespace":"prod","operation":"CREATE",
                 "object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
                  "spec":{"template":{"spec":{
                    "initContainers":[{"name":"init","image":"%1$s/acme-dev/init:1"}],
                    "containers":[{"name":"web","image":"%1$s/acme-dev/web:1"},
                                  {"name":"pinned","image":"%1$s/acme-dev/web@%2$s"},
                                  {"name":"again","image":"%1$s/acme-dev/web:1"}],
                    "ephemeralContainers":[{"name":"debug","image":"%1$s/acme-dev/init:1"}]}}}}}}
                """.formatted(host, first);
        JsonNode response = post("/admission/v1/mutate", deployment);
        assertThat(response.path("uid").asText()).isEqualTo("u-9");
        assertThat(response.path("allowed").asBoolean()).as(response.toString()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = Credentials.JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
        // Every tag reference is replaced by the same reference with the judged digest; the one
        // already pinned is left as it is.
        assertThat(patch.toString()).isEqualTo(Credentials.JSON.createArrayNode()
                .add(replace("/spec/template/spec/initContainers/0/image", host + "/acme-dev/init:1@" + init))
                .add(replace("/spec/template/spec/containers/0/image", host + "/acme-dev/web:1@" + first))
                .add(replace("/spec/template/spec/containers/2/image", host + "/acme-dev/web:1@" + first))
                .add(replace("/spec/template/spec/ephemeralContainers/0/image", host + "/acme-dev/init:1@" + init))
                .toString());

        // The tag moves to an unsigned image: the tag is now denied, the pinned reference still
        // names (and is judged at) the digest that was admitted.
        Digest moved = push("acme-dev/web", "1", "moved", false);
        assertThat(moved).isNotEqualTo(first);
        assertThat(pod("/admission/v1/validate", "prod", host + "/acme-dev/web:1").path("allowed").asBoolean()).isFalse();
        JsonNode pinned = pod("/admission/v1/mutate", "prod", host + "/acme-dev/web:1@" + first);
        assertThat(pinned.path("allowed").asBoolean()).as(pinned.toString()).isTrue();
        assertThat(pinned.has("patch")).as("nothing to pin").isFalse();

        // A denial from the mutating webhook says why, as the validating one does, and patches nothing.
        JsonNode denied = pod("/admission/v1/mutate", "prod", host + "/acme-dev/web:1");
        assertThat(denied.path("allowed").asBoolean()).isFalse();
        assertThat(denied.has("patch")).isFalse();
        assertThat(denied.path("status").path("message").asText()).contains("acme-dev/web:1 denied (trust:");
        // Objects that run no image need no patch.
        JsonNode configMap = post("/admission/v1/mutate", """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-c","namespace":"prod",
                 "operation":"CREATE","kind":{"kind":"ConfigMap"},"object":{"kind":"ConfigMap","data":{}}}}""");
        assertThat(configMap.path("allowed").asBoolean()).isTrue();
        assertThat(configMap.has("patch")).isFalse();
    }

    @Test
    void anImageOfAnotherRegistryIsNeverTakenForOneOfThisRegistry() throws Exception {
        Digest signed = push("acme-dev/app", "1", "app", true);
        assertThat(pod("/admission/v1/validate", "prod", host + "/acme-dev/app:1").path("allowed").asBoolean()).isTrue();
        // The same path under another host, or without a host (Docker Hub's, as the kubelet reads
        // it), is not this registry's image, whatever this registry holds under that path.
        JsonNode elsewhere = pod("/admission/v1/validate", "prod", "evil.example/acme-dev/app:1");
        assertThat(elsewhere.path("allowed").asBoolean()).isFalse();
        assertThat(elsewhere.path("status").path("message").asText())
                .contains("is in registry evil.example, not this one").contains("no image policy for namespace prod names evil.example");
        JsonNode hub = pod("/admission/v1/validate", "prod", "acme-dev/app@" + signed);
        assertThat(hub.path("allowed").asBoolean()).isFalse();
        assertThat(hub.path("status").path("message").asText()).contains("registry docker.io");
        // A policy that names the host admits its images, pinned by digest and without requirements
        // that cannot be checked here.
        String digest = "@sha256:" + "ab".repeat(32);
        assertThat(pod("/admission/v1/validate", "prod", "mirror.example/lib/base" + digest).path("allowed").asBoolean())
                .isTrue();
        JsonNode byTag = pod("/admission/v1/validate", "prod", "mirror.example/lib/base:1");
        assertThat(byTag.path("allowed").asBoolean()).isFalse();
        assertThat(byTag.path("status").path("message").asText()).contains("reference it by digest");
        JsonNode secure = pod("/admission/v1/validate", "prod", "secure.example/lib/base" + digest);
        assertThat(secure.path("allowed").asBoolean()).isFalse();
        assertThat(secure.path("status").path("message").asText()).contains("cannot read the signatures of an image in secure.example");
        // A wildcard rule admits this registry's images, never another registry's.
        assertThat(pod("/admission/v1/validate", "open", host + "/acme-dev/app:1").path("allowed").asBoolean()).isTrue();
        JsonNode wildcard = pod("/admission/v1/validate", "open", "mirror.example/lib/base" + digest);
        assertThat(wildcard.path("allowed").asBoolean()).isFalse();
        assertThat(wildcard.path("status").path("message").asText()).contains("does not name mirror.example");
        // policy check gives the same answer.
        CliRun check = as(iam.keys.get("reader"), "policy", "check", "evil.example/acme-dev/app:1", "--namespace", "prod");
        assertThat(check.code()).isEqualTo(Slipway.POLICY_DENIED);
        // A reference that is not one is a denial naming it, not a failed review.
        JsonNode bad = pod("/admission/v1/validate", "prod", "Not A Reference");
        assertThat(bad.path("allowed").asBoolean()).isFalse();
        assertThat(bad.path("status").path("message").asText()).contains("not a valid image reference");
    }

    @Test
    void theManagementApiKeepsTheHostAndRefusesAnotherRegistrys() {
        CliRun own = as(iam.keys.get("reader"), "cr", "image-inspect", host + "/acme-dev/app:1");
        CliRun bare = as(iam.keys.get("reader"), "cr", "image-inspect", "acme-dev/app:1");
        assertThat(bare.code()).as(bare.err()).isEqualTo(own.code());
        CliRun other = as(iam.keys.get("reader"), "cr", "image-inspect", "evil.example/acme-dev/app:1");
        assertThat(other.code()).as(other.err()).isEqualTo(Slipway.REFUSED); // the server answers 400
        assertThat(other.err()).contains("is in registry evil.example, not this one");
    }

    static JsonNode replace(String path, String value) {
        return Credentials.JSON.createObjectNode().put("op", "replace").put("path", path).put("value", value);
    }

    JsonNode pod(String endpoint, String namespace, String image) throws Exception {
        return post(endpoint, """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"%s","operation":"CREATE",
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                  "spec":{"containers":[{"name":"app","image":"%s"}]}}}}
                """.formatted(namespace, image));
    }

    JsonNode post(String endpoint, String review) throws Exception {
        // The API server authenticates as acme's reader (a bearer API key in the webhook's kubeconfig).
        var r = iam.admission.post(endpoint, review.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
                "Authorization", "Bearer " + iam.keys.get("reader"));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        return Credentials.JSON.readTree(r.body()).path("response");
    }

    void apply(String yaml) throws Exception {
        Path file = Files.createTempFile(tmp, "policy", ".yaml");
        Files.writeString(file, yaml);
        CliRun applied = as(iam.keys.get("manager"), "policy", "apply", "-f", file.toString());
        assertThat(applied.code()).as(applied.err()).isZero();
    }

    CliRun as(String key, String... args) {
        return CliRun.as(url, key, args);
    }

    /** Pushes a config-only image under {@code tag}, signed by the release key when asked. */
    Digest push(String repo, String tag, String content, boolean sign) throws Exception {
        String token = iam.token(iam.keys.get("ci"), "repository:" + repo + ":pull,push");
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"config\":{\"Labels\":{\"content\":\"" + content + "\"}}}").getBytes(StandardCharsets.UTF_8);
        upload(repo, token, config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[]}";
        var r = iam.http.put("/v2/" + repo + "/manifests/" + tag, manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(201);
        Digest digest = Digest.parse(r.headers().firstValue("Docker-Content-Digest").orElseThrow());
        if (sign) {
            var signature = new CosignSigner((ECPrivateKey) release.getPrivate(), Clock.systemUTC())
                    .sign(Image.of(host + "/" + repo + "@" + digest, digest));
            SignatureArtifact artifact = SignatureManifest.empty().add(signature).toTagForm(digest);
            for (SignatureArtifact.Blob blob : artifact.blobs()) {
                upload(repo, token, blob.content());
            }
            var put = iam.http.put("/v2/" + repo + "/manifests/" + artifact.tag(), artifact.manifest(),
                    "Content-Type", artifact.mediaType(), "Authorization", "Bearer " + token);
            assertThat(put.statusCode()).isEqualTo(201);
        }
        return digest;
    }

    void upload(String repo, String token, byte[] blob) {
        var r = iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(201);
    }
}
