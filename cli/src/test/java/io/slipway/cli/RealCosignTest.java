package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.testing.ToolBinaries;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real cosign 2.x (Debian 13's build, installed by {@code .ci/run}) against the registry with
 * token auth, both ways: cosign's default signature of an image referenced by digest (whose
 * payload names the repository alone) is accepted by {@code slipway verify}, {@code policy check},
 * the admission webhooks and promote; and cosign verifies what {@code slipway sign} wrote, also
 * with a key {@code slipway key generate} made. oras reads the signature Slipway stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealCosignTest {
    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;
    String host;
    Path cosign;
    Path dockerConfig;

    @BeforeAll
    void start() throws Exception {
        cosign = ToolBinaries.require("cosign");
        iam = new IamFixture(tmp.resolve("data"));
        url = iam.server.uri().toString();
        host = "127.0.0.1:" + iam.server.port();
        // cosign reads registry credentials from DOCKER_CONFIG's config.json, as docker writes it.
        dockerConfig = Files.createDirectories(tmp.resolve("docker"));
        String auth = Base64.getEncoder().encodeToString(("iamapikey:" + iam.keys.get("manager"))
                .getBytes(StandardCharsets.UTF_8));
        Files.writeString(dockerConfig.resolve("config.json"), "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}");
    }

    @AfterAll
    void stop() throws Exception {
        if (iam != null) {
            iam.close();
        }
    }

    @Test
    void cosignsDefaultSignatureOfADigestVerifiesInEveryJudge() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("cosign-keys"));
        run(keys, cosign.toString(), "generate-key-pair");
        Digest digest = push("acme-dev/app", "1", "cosign-signed");
        String byDigest = host + "/acme-dev/app@" + digest;
        // cosign's defaults, plus what a registry without a transparency log on plain HTTP needs.
        run(keys, cosign.toString(), "sign", "--key", "cosign.key", "--tlog-upload=false", "--allow-http-registry=true",
                "--yes", byDigest);
        // What cosign wrote names the repository alone, which is why this test exists.
        String downloaded = run(keys, cosign.toString(), "download", "signature", "--allow-http-registry=true", byDigest);
        String payload = new String(Base64.getDecoder().decode(
                Credentials.JSON.readTree(downloaded.lines().findFirst().orElseThrow()).path("Payload").asText()),
                StandardCharsets.UTF_8);
        assertThat(payload).contains("\"docker-reference\":\"" + host + "/acme-dev/app\"}");

        CliRun verified = as(iam.keys.get("reader"), "verify", "--image", byDigest, "--key",
                keys.resolve("cosign.pub").toString());
        assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out()).startsWith("verified " + byDigest);
        // Another key does not verify it.
        Path other = Files.createDirectories(tmp.resolve("other-keys"));
        run(other, cosign.toString(), "generate-key-pair");
        assertThat(as(iam.keys.get("reader"), "verify", "--image", byDigest, "--key",
                other.resolve("cosign.pub").toString()).code()).isEqualTo(Slipway.POLICY_DENIED);

        // policy check and admission judge the tag at the digest it names now: allowed.
        addKeyAndPolicy(keys.resolve("cosign.pub"));
        JsonNode decision = check(host + "/acme-dev/app:1", "prod");
        assertThat(decision.path("allowed").asBoolean()).as(decision.toString()).isTrue();
        JsonNode validate = admission("/admission/v1/validate", "prod", host + "/acme-dev/app:1");
        assertThat(validate.path("allowed").asBoolean()).as(validate.toString()).isTrue();
        JsonNode mutate = admission("/admission/v1/mutate", "prod", host + "/acme-dev/app:1");
        assertThat(mutate.path("allowed").asBoolean()).isTrue();
        assertThat(new String(Base64.getDecoder().decode(mutate.path("patch").asText()), StandardCharsets.UTF_8))
                .contains("\"value\":\"" + host + "/acme-dev/app:1@" + digest + "\"");

        // promote copies image and signature into acme-prod; the prod rule maps acme-prod back to
        // acme-dev (remapIdentity), so cosign's signature still holds there, without re-signing.
        Path bare = DeployCommandTest.gitopsRepository(tmp.resolve("promote"), Map.of(
                "envs/dev/values.yaml", ImagePolicyTest.values(host + "/acme-dev/app", "1@" + digest),
                "envs/prod/values.yaml", ImagePolicyTest.values(host + "/acme-prod/app", "0.9")));
        CliRun promoted = as(iam.keys.get("manager"), "promote", "--gitops", bare.toUri().toString(),
                "--from", "envs/dev/values.yaml", "--to", "envs/prod/values.yaml", "--chart", "charts/app",
                "--to-namespace", "acme-prod", "--policy-namespace", "prod");
        assertThat(promoted.code()).as(promoted.out() + promoted.err()).isZero();
        JsonNode copy = check(host + "/acme-prod/app:1", "prod");
        assertThat(copy.path("allowed").asBoolean()).as(copy.toString()).isTrue();
        // Elsewhere the identity rule stays exact: a policy without the remap refuses the copy.
        JsonNode strict = check(host + "/acme-prod/app:1", "strict");
        assertThat(strict.path("allowed").asBoolean()).isFalse();
        assertThat(strict.toString()).contains("does not match");
    }

    @Test
    void cosignVerifiesWhatSlipwaySigned() throws Exception {
        // A key made by slipway (cosign's encrypted format), used by slipway to sign.
        Path keys = Files.createDirectories(tmp.resolve("slipway-keys"));
        CliRun generated = CliRun.slipway("key", "generate", "--output-dir", keys.toString());
        assertThat(generated.code()).as(generated.err()).isZero();
        Digest digest = push("acme-dev/signed-by-slipway", "1", "slipway-signed");
        String byDigest = host + "/acme-dev/signed-by-slipway@" + digest;
        CliRun signed = as(iam.keys.get("ci"), "sign", "--image", byDigest, "--key", keys.resolve("cosign.key").toString());
        assertThat(signed.code()).as(signed.err()).isZero();

        String out = run(keys, cosign.toString(), "verify", "--key", "cosign.pub", "--insecure-ignore-tlog=true",
                "--allow-http-registry=true", byDigest);
        assertThat(out).contains("\"docker-manifest-digest\":\"" + digest + "\"");
        // cosign also reads slipway's encrypted key file: it signs with it, and slipway verifies that.
        Digest second = push("acme-dev/signed-by-slipway", "2", "slipway-key-cosign-signed");
        String secondRef = host + "/acme-dev/signed-by-slipway@" + second;
        run(keys, cosign.toString(), "sign", "--key", "cosign.key", "--tlog-upload=false", "--allow-http-registry=true",
                "--yes", secondRef);
        assertThat(as(iam.keys.get("reader"), "verify", "--image", secondRef, "--key",
                keys.resolve("cosign.pub").toString()).code()).isZero();

        // oras (the OCI client) reads the signature manifest Slipway stored under cosign's tag.
        Path oras = ToolBinaries.require("oras");
        String manifest = run(keys, oras.toString(), "manifest", "fetch", "--plain-http", "-u", "iamapikey", "-p",
                iam.keys.get("reader"), host + "/acme-dev/signed-by-slipway:" + digest.tagForm() + ".sig");
        assertThat(manifest).contains("application/vnd.dev.cosign.simplesigning.v1+json")
                .contains("dev.cosignproject.cosign/signature");
    }

    void addKeyAndPolicy(Path publicKey) throws Exception {
        CliRun key = as(iam.adminKey, "policy", "key-add", "cosign-release", "--cluster", "--public-key", publicKey.toString());
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
                    - name: "%1$s/acme-dev/*"
                      policy:
                        trust:
                          signerKeys: [{name: cosign-release}]
                    - name: "%1$s/acme-prod/*"
                      policy:
                        trust:
                          signerKeys: [{name: cosign-release}]
                          signedIdentity:
                            type: remapIdentity
                            prefix: "%1$s/acme-prod"
                            signedPrefix: "%1$s/acme-dev"
                ---
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata:
                  name: strict
                  namespace: strict
                spec:
                  repositories:
                    - name: "%1$s/*"
                      policy:
                        trust:
                          signerKeys: [{name: cosign-release}]
                """.formatted(host));
        for (String document : Files.readString(policy).split("---\n")) {
            Path one = tmp.resolve("policy-" + Math.abs(document.hashCode()) + ".yaml");
            Files.writeString(one, document);
            CliRun applied = as(iam.keys.get("manager"), "policy", "apply", "-f", one.toString());
            assertThat(applied.code()).as(applied.err()).isZero();
        }
    }

    JsonNode check(String image, String namespace) throws Exception {
        CliRun r = as(iam.keys.get("reader"), "policy", "check", image, "--namespace", namespace, "--output", "json");
        assertThat(r.code()).as(r.err()).isIn(0, Slipway.POLICY_DENIED);
        return Credentials.JSON.readTree(r.out());
    }

    JsonNode admission(String path, String namespace, String image) throws Exception {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"%s","operation":"CREATE",
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                  "spec":{"containers":[{"name":"app","image":"%s"}]}}}}
                """.formatted(namespace, image);
        // The API server authenticates as acme's reader (a bearer API key in the webhook's kubeconfig).
        var r = iam.http.post(path, review.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
                "Authorization", "Bearer " + iam.keys.get("reader"));
        assertThat(r.statusCode()).isEqualTo(200);
        return Credentials.JSON.readTree(r.body()).path("response");
    }

    CliRun as(String key, String... args) {
        return CliRun.as(url, key, args);
    }

    /** Pushes a one-layer image whose layer holds {@code content}, as the CI service ID. */
    Digest push(String repo, String tag, String content) throws Exception {
        String token = iam.token(iam.keys.get("ci"), "repository:" + repo + ":pull,push");
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"config\":{\"Labels\":{\"content\":\"" + content + "\"}}}").getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(config)) {
            var r = iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                    "Authorization", "Bearer " + token);
            assertThat(r.statusCode()).isEqualTo(201);
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[]}";
        var r = iam.http.put("/v2/" + repo + "/manifests/" + tag, manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(201);
        return Digest.parse(r.headers().firstValue("Docker-Content-Digest").orElseThrow());
    }

    /** Runs a tool in {@code dir} with its own HOME and DOCKER_CONFIG and an empty key password; it must succeed. */
    String run(Path dir, String... command) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        pb.environment().put("DOCKER_CONFIG", dockerConfig.toString());
        pb.environment().put("COSIGN_PASSWORD", "");
        pb.environment().put("COSIGN_YES", "true");
        pb.environment().put("SIGSTORE_NO_CACHE", "true");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        String stdout = Files.readString(out);
        assertThat(p.exitValue()).as("$ " + String.join(" ", command) + "\n" + stdout + "\n" + Files.readString(err))
                .isZero();
        return stdout;
    }
}
