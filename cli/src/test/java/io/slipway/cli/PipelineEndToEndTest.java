package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.client.FetchedManifest;
import io.slipway.oci.client.RegistryClient;
import io.slipway.oci.client.RegistryException;
import io.slipway.registry.testing.IamFixture;
import io.slipway.trust.cosign.SignatureManifest;
import io.slipway.trust.keys.EcKeys;
import io.slipway.trust.keys.KeyFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline through the CLI against a real token-auth registry: build from a jib-cli build
 * file, push, the gate fails on Log4Shell (the real GHSA record), passes after the fix, sign,
 * verify, deploy to dev, promote to prod; the GitOps repository then holds exactly two new commits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineEndToEndTest {
    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;
    String host;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    void start() throws Exception {
        Path data = tmp.resolve("data");
        iam = new IamFixture(data);
        url = iam.server.uri().toString();
        host = "127.0.0.1:" + iam.server.port();
        Path record = Path.of(getClass().getResource("/advisories/GHSA-jfh8-c2jp-5v3q.json").toURI());
        assertThat(slipway("va", "db", "import", "--data", data.toString(), record.toString()).code()).isZero();
        iam.server.scans().sweep();
    }

    @AfterAll
    void stop() throws Exception {
        iam.close();
    }

    Run slipway(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Slipway.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    Run as(String key, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--registry", url, "--api-key", key));
        return slipway(all.toArray(String[]::new));
    }

    /** A jib-cli build file: from scratch, one layer with the application's libraries. */
    Path buildFile(String log4j) throws Exception {
        Path dir = tmp.resolve("svc-" + log4j);
        if (Files.exists(dir.resolve("jib.yaml"))) {
            return dir.resolve("jib.yaml"); // the same inputs again (a new jar would carry new zip timestamps)
        }
        Files.createDirectories(dir);
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.write(lib.resolve("log4j-core-" + log4j + ".jar"), VulnerabilityAdvisorTest.jar(log4j));
        Path run = dir.resolve("run.sh");
        Files.writeString(run, "#!/bin/sh\nexec java -cp '/app/lib/*' Main\n");
        run.toFile().setExecutable(true);
        Path file = dir.resolve("jib.yaml");
        Files.writeString(file, """
                apiVersion: jib/v1alpha1
                kind: BuildFile
                from: scratch
                creationTime: 2024-01-01T00:00:00Z
                format: OCI
                environment:
                  APP_ENV: dev
                labels:
                  org.opencontainers.image.title: svc
                exposedPorts: ["8080"]
                user: "1000"
                workingDirectory: /app
                entrypoint: ["/app/run.sh"]
                layers:
                  entries:
                    - name: libraries
                      files:
                        - src: lib
                          dest: /app/lib
                    - name: launcher
                      files:
                        - src: run.sh
                          dest: /app/run.sh
                """);
        return file;
    }

    String build(String log4j, String tag) throws Exception {
        Path digestFile = tmp.resolve("digest-" + log4j);
        Path urlFile = tmp.resolve("url-" + log4j);
        Run built = as(iam.keys.get("ci"), "build", "--build-file", buildFile(log4j).toString(),
                "--image", "acme-dev/svc:" + tag, "--tag", "candidate", "--digest-file", digestFile.toString(),
                "--url-file", urlFile.toString(), "--cache", tmp.resolve("cache").toString());
        assertThat(built.code()).as(built.out() + built.err()).isZero();
        assertThat(built.out()).contains("progress 100%");
        String digest = Files.readString(digestFile);
        assertThat(Files.readString(urlFile)).isEqualTo(host + "/acme-dev/svc@" + digest);
        return digest;
    }

    @Test
    void buildGateSignVerifyDeployPromote() throws Exception {
        // build + push: the pushed manifest is the one the registry serves under both tags
        String vulnerable = build("2.14.1", "1.0");
        RegistryClient reader = new RegistryClient(url, "iamapikey", iam.keys.get("reader"));
        FetchedManifest manifest = reader.manifest("acme-dev/svc", "1.0");
        assertThat(manifest.digest().toString()).isEqualTo(vulnerable);
        assertThat(manifest.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(reader.manifestDigest("acme-dev/svc", "candidate").toString()).isEqualTo(vulnerable);
        String config = new String(reader.blob("acme-dev/svc", Digest.parse(Credentials.JSON.readTree(manifest.bytes())
                .path("config").path("digest").asText())), StandardCharsets.UTF_8);
        assertThat(config).contains("APP_ENV=dev").contains("\"/app/run.sh\"").contains("8080/tcp")
                .contains("2024-01-01T00:00:00Z");

        // the launcher layer keeps its exec bit (Jib alone would write 644)
        JsonNode layers = Credentials.JSON.readTree(manifest.bytes()).path("layers");
        assertThat(layers).hasSize(2);
        Digest launcher = Digest.parse(layers.get(1).path("digest").asText());
        assertThat(modeOf(reader.blob("acme-dev/svc", launcher), "app/run.sh")).isEqualTo(0755);

        // gate: Log4Shell is critical, not exempt: exit 6 with the finding named
        String image = "acme-dev/svc@" + vulnerable;
        Run failed = as(iam.keys.get("reader"), "gate", "--image", image, "--severity", "high",
                "--timeout", "60s", "--interval", "200ms");
        assertThat(failed.code()).as(failed.out() + failed.err()).isEqualTo(Slipway.GATE_FAILED);
        assertThat(failed.out()).contains("CVE-2021-44228").contains("CRITICAL").contains("2.15.0").contains("BLOCKS");
        assertThat(failed.err()).contains("gate failed").contains("CVE-2021-44228");

        Run json = as(iam.keys.get("reader"), "gate", "--image", image, "--severity", "critical", "--output", "json");
        assertThat(json.code()).isEqualTo(Slipway.GATE_FAILED);
        JsonNode verdict = Credentials.JSON.readTree(json.out());
        assertThat(verdict.path("passed").asBoolean()).isFalse();
        assertThat(verdict.path("threshold").asText()).isEqualTo("critical");
        assertThat(verdict.path("blocking").get(0).path("id").asText()).isEqualTo("CVE-2021-44228");
        assertThat(verdict.path("blocking").get(0).path("fixed").asText()).isEqualTo("2.15.0");
        assertThat(verdict.path("blocking").get(0).path("package").asText()).contains("log4j-core");

        // bad input and an unreachable registry have their own exit codes
        assertThat(as(iam.keys.get("reader"), "gate", "--image", "acme-dev/svc:1.0").code()).isEqualTo(Slipway.BAD_INPUT);
        assertThat(as(iam.keys.get("reader"), "gate", "--image", image, "--severity", "severe").code())
                .isEqualTo(Slipway.BAD_INPUT);
        assertThat(slipway("gate", "--image", image, "--registry", "http://127.0.0.1:1", "--api-key", "x").code())
                .isEqualTo(Slipway.UNREACHABLE);

        // the fix: rebuild with 2.17.1, the gate passes
        String fixed = build("2.17.1", "1.1");
        assertThat(fixed).isNotEqualTo(vulnerable);
        // only the libraries layer changed: the launcher layer is the same blob, so it is not pushed again
        JsonNode fixedLayers = Credentials.JSON.readTree(reader.manifest("acme-dev/svc", fixed).bytes()).path("layers");
        assertThat(fixedLayers.get(1).path("digest").asText()).isEqualTo(launcher.toString());
        assertThat(fixedLayers.get(0).path("digest").asText()).isNotEqualTo(layers.get(0).path("digest").asText());
        // builds are reproducible: the same inputs give the same digest
        assertThat(build("2.17.1", "1.1")).isEqualTo(fixed);
        Run passed = as(iam.keys.get("reader"), "gate", "--image", "acme-dev/svc@" + fixed, "--timeout", "60s",
                "--interval", "200ms");
        assertThat(passed.code()).as(passed.out() + passed.err()).isZero();
        assertThat(passed.out()).contains("gate passed").doesNotContain("CVE-2021-44228");

        // sign (PKCS#8 key), twice with two keys: the second signature is appended, both verify
        KeyPair release = EcKeys.generateP256(new SecureRandom());
        KeyPair other = EcKeys.generateP256(new SecureRandom());
        Path key = tmp.resolve("release.key");
        Files.writeString(key, KeyFiles.privateKeyPem((ECPrivateKey) release.getPrivate()));
        Path pub = tmp.resolve("release.pub");
        Files.writeString(pub, KeyFiles.publicKeyPem(release.getPublic()));
        Path otherKey = tmp.resolve("other.key");
        Files.writeString(otherKey, KeyFiles.privateKeyPem((ECPrivateKey) other.getPrivate()));
        Path otherPub = tmp.resolve("other.pub");
        Files.writeString(otherPub, KeyFiles.publicKeyPem(other.getPublic()));
        String fixedImage = "acme-dev/svc@" + fixed;

        Run unsigned = as(iam.keys.get("reader"), "verify", "--image", fixedImage, "--key", pub.toString());
        assertThat(unsigned.code()).isEqualTo(Slipway.POLICY_DENIED);
        assertThat(unsigned.err()).contains("no signature found");

        Run signed = as(iam.keys.get("ci"), "sign", "--image", fixedImage, "--key", key.toString());
        assertThat(signed.code()).as(signed.err()).isZero();
        assertThat(signed.out()).contains("sha256-" + fixed.substring(7) + ".sig").contains("1 signature(s)");
        Run signedAgain = as(iam.keys.get("ci"), "sign", "--image", fixedImage, "--key", otherKey.toString());
        assertThat(signedAgain.code()).as(signedAgain.err()).isZero();
        assertThat(signedAgain.out()).contains("2 signature(s)");
        FetchedManifest sig = reader.manifest("acme-dev/svc", "sha256-" + fixed.substring(7) + ".sig");
        assertThat(SignatureManifest.parse(sig.bytes()).signatureLayers()).hasSize(2);

        Run verified = as(iam.keys.get("reader"), "verify", "--image", fixedImage, "--key", pub.toString());
        assertThat(verified.code()).as(verified.err()).isZero();
        assertThat(verified.out()).startsWith("verified ");
        assertThat(as(iam.keys.get("reader"), "verify", "--image", fixedImage, "--key", otherPub.toString()).code())
                .isZero();
        // the signature of one image does not vouch for another
        Run wrongImage = as(iam.keys.get("reader"), "verify", "--image", "acme-dev/svc@" + vulnerable,
                "--key", pub.toString());
        assertThat(wrongImage.code()).isEqualTo(Slipway.POLICY_DENIED);
        // the reader may not sign: refused, not crashed
        assertThat(as(iam.keys.get("reader"), "sign", "--image", fixedImage, "--key", key.toString()).code())
                .isEqualTo(Slipway.REFUSED);

        // deploy to dev, promote to prod under a policy that trusts the release key
        assertThat(as(iam.adminKey, "policy", "key-add", "release", "--cluster", "--public-key", pub.toString()).code()).isZero();
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
        Run applied = as(iam.keys.get("manager"), "policy", "apply", "-f", policy.toString());
        assertThat(applied.code()).as(applied.err()).isZero();

        Path bare = DeployCommandTest.gitopsRepository(tmp.resolve("gitops"), java.util.Map.of(
                "envs/dev/values.yaml", ImagePolicyTest.values(host + "/acme-dev/svc", "0.9"),
                "envs/prod/values.yaml", ImagePolicyTest.values(host + "/acme-prod/svc", "0.9")));
        Run deployed = slipway("deploy", "--gitops", bare.toUri().toString(), "--values", "envs/dev/values.yaml",
                "--chart", "charts/app", "--image", host + "/acme-dev/svc:1.1@" + fixed);
        assertThat(deployed.code()).as(deployed.out() + deployed.err()).isZero();
        Run promoted = as(iam.keys.get("manager"), "promote", "--gitops", bare.toUri().toString(),
                "--from", "envs/dev/values.yaml", "--to", "envs/prod/values.yaml", "--chart", "charts/app",
                "--to-namespace", "acme-prod");
        assertThat(promoted.code()).as(promoted.out() + promoted.err()).isZero();
        assertThat(reader.manifestDigest("acme-prod/svc", fixed).toString()).isEqualTo(fixed);

        Path check = tmp.resolve("gitops-check");
        try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(check.toFile()).call()) {
            List<RevCommit> log = new ArrayList<>();
            git.log().call().forEach(log::add);
            assertThat(log).hasSize(3); // seed, deploy, promote
            assertThat(Files.readString(check.resolve("envs/dev/values.yaml")))
                    .isEqualTo(ImagePolicyTest.values(host + "/acme-dev/svc", "1.1@" + fixed));
            assertThat(Files.readString(check.resolve("envs/prod/values.yaml")))
                    .isEqualTo(ImagePolicyTest.values(host + "/acme-prod/svc", "1.1@" + fixed));
        }
    }

    /** The mode of one entry of a gzip'd tar layer, read with the JDK only (ustar header). */
    static int modeOf(byte[] layer, String path) throws Exception {
        byte[] tar = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(layer)).readAllBytes();
        for (int at = 0; at + 512 <= tar.length; ) {
            String name = new String(tar, at, 100, StandardCharsets.US_ASCII).replace("\0", "");
            if (name.isEmpty()) {
                break;
            }
            int mode = Integer.parseInt(new String(tar, at + 100, 8, StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
            long size = Long.parseLong(new String(tar, at + 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
            if (name.replaceFirst("^\\./", "").replaceFirst("^/", "").equals(path)) {
                return mode & 07777;
            }
            at += 512 + (int) ((size + 511) / 512 * 512);
        }
        throw new AssertionError(path + " not in the layer");
    }

    @Test
    void buildFromAJarAndTheExitCodesOfEachFailureKind() throws Exception {
        Path jar = tmp.resolve("app.jar");
        Files.write(jar, VulnerabilityAdvisorTest.jar("2.17.1"));
        Path digestFile = tmp.resolve("jar-digest");
        Run built = as(iam.keys.get("ci"), "build", "--jar", jar.toString(), "--image", "acme-dev/jarapp",
                "--digest-file", digestFile.toString(), "--cache", tmp.resolve("cache").toString());
        assertThat(built.code()).as(built.out() + built.err()).isZero();
        RegistryClient reader = new RegistryClient(url, "iamapikey", iam.keys.get("reader"));
        assertThat(reader.manifestDigest("acme-dev/jarapp", "latest").toString()).isEqualTo(Files.readString(digestFile));
        FetchedManifest m = reader.manifest("acme-dev/jarapp", "latest");
        String config = new String(reader.blob("acme-dev/jarapp", Digest.parse(Credentials.JSON.readTree(m.bytes())
                .path("config").path("digest").asText())), StandardCharsets.UTF_8);
        assertThat(config).contains("[\"java\",\"-jar\",\"/app/app.jar\"]");

        // the reader may not push; a missing build file is bad input; nothing listens on port 1
        assertThat(as(iam.keys.get("reader"), "build", "--jar", jar.toString(), "--image", "acme-dev/jarapp",
                "--cache", tmp.resolve("cache").toString()).code()).isEqualTo(Slipway.REFUSED);
        assertThat(as(iam.keys.get("ci"), "build", "--build-file", tmp.resolve("none.yaml").toString(),
                "--image", "acme-dev/x").code()).isEqualTo(Slipway.BAD_INPUT);
        assertThat(slipway("sign", "--image", "acme-dev/jarapp@" + Files.readString(digestFile), "--key",
                tmp.resolve("none.key").toString(), "--registry", url).code()).isEqualTo(Slipway.BAD_INPUT);
        assertThat(slipway("build", "--jar", jar.toString(), "--image", "acme-dev/jarapp", "--registry", "http://127.0.0.1:1",
                "--api-key", "x", "--cache", tmp.resolve("cache").toString()).code()).isEqualTo(Slipway.UNREACHABLE);
        Run notAKey = slipway("sign", "--image", "acme-dev/jarapp@" + Files.readString(digestFile), "--key", jar.toString(),
                "--registry", "http://127.0.0.1:1", "--api-key", "x");
        assertThat(notAKey.code()).as(notAKey.err()).isEqualTo(Slipway.BAD_INPUT);
        assertThat(Slipway.exitCode(new io.slipway.pipeline.gate.GateTimeoutException("slow"))).isEqualTo(Slipway.TIMED_OUT);
    }

    @Test
    void simpleSigningThroughTheExtensionApiVerifiesWithTheOpenPgpKey() throws Exception {
        Path jar = tmp.resolve("simple.jar");
        Files.write(jar, VulnerabilityAdvisorTest.jar("2.17.0"));
        Path digestFile = tmp.resolve("simple-digest");
        assertThat(as(iam.keys.get("ci"), "build", "--jar", jar.toString(), "--image", "acme-dev/simple:1",
                "--digest-file", digestFile.toString(), "--cache", tmp.resolve("cache").toString()).code()).isZero();
        String image = "acme-dev/simple@" + Files.readString(digestFile);

        var generated = new io.slipway.trust.simplesigning.OpenPgpKeyGenerator(new SecureRandom(), 2048)
                .generate("Release <release@acme.example>", new char[0], java.time.Instant.now().minusSeconds(60), null);
        Path secret = tmp.resolve("release.gpg");
        Files.writeString(secret, generated.armoredSecretKey());
        Path pub = tmp.resolve("release-gpg.pub");
        Files.writeString(pub, generated.armoredPublicKey());

        Run before = as(iam.keys.get("reader"), "verify", "--image", image, "--key", pub.toString());
        assertThat(before.code()).isEqualTo(Slipway.POLICY_DENIED);
        Run signed = as(iam.keys.get("ci"), "sign", "--image", image, "--key", secret.toString(),
                "--format", "simple-signing");
        assertThat(signed.code()).as(signed.err()).isZero();
        assertThat(signed.out()).contains(generated.fingerprint());
        RegistryClient reader = new RegistryClient(url, "iamapikey", iam.keys.get("reader"));
        assertThat(reader.simpleSignatures("acme-dev/simple", Digest.parse(Files.readString(digestFile)))).hasSize(1);

        Run verified = as(iam.keys.get("reader"), "verify", "--image", image, "--key", pub.toString());
        assertThat(verified.code()).as(verified.err()).isZero();
        assertThat(verified.out()).contains("simple");
        // a cosign key file is no OpenPGP secret key: bad input, not a crash
        Path notGpg = tmp.resolve("not.gpg");
        Files.writeString(notGpg, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThat(as(iam.keys.get("ci"), "sign", "--image", image, "--key", notGpg.toString(),
                "--format", "simple-signing").code()).isEqualTo(Slipway.BAD_INPUT);
        assertThat(as(iam.keys.get("ci"), "sign", "--image", image, "--key", secret.toString(),
                "--format", "x509").code()).isEqualTo(Slipway.BAD_INPUT);
    }

    @Test
    void registryClientGetsATokenPerScopeAndReportsRefusals() throws Exception {
        RegistryClient ci = new RegistryClient(url, "iamapikey", iam.keys.get("ci"));
        byte[] blob = "hello".getBytes(StandardCharsets.UTF_8);
        Digest d = ci.uploadBlob("acme-dev/client", blob);
        assertThat(ci.blobExists("acme-dev/client", d)).isTrue();
        assertThat(ci.blob("acme-dev/client", d)).isEqualTo(blob);
        assertThat(ci.uploadBlob("acme-dev/client", blob)).isEqualTo(d); // already there: no second upload
        byte[] config = VulnerabilityAdvisorTest.config();
        ci.uploadBlob("acme-dev/client", config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_TAR_GZIP + "\",\"digest\":\""
                + d + "\",\"size\":" + blob.length + "}]}";
        byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
        Digest m = ci.putManifest("acme-dev/client", "v1", bytes, MediaTypes.OCI_MANIFEST);
        assertThat(ci.manifestDigest("acme-dev/client", "v1")).isEqualTo(m);
        assertThat(ci.manifest("acme-dev/client", m.toString()).bytes()).isEqualTo(bytes);
        assertThat(ci.manifest("acme-dev/client", "missing")).isNull();

        // ci may not push to production, and globex sees acme's repositories as missing
        RegistryClient ciProd = new RegistryClient(url, "iamapikey", iam.keys.get("ci"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ciProd.uploadBlob("acme-prod/client", blob))
                .isInstanceOf(RegistryException.class);
        RegistryClient globex = new RegistryClient(url, "iamapikey", iam.keys.get("globex"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> globex.manifest("acme-dev/client", "v1"))
                .isInstanceOf(RegistryException.class);
        RegistryClient wrongKey = new RegistryClient(url, "iamapikey", "not-a-key");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> wrongKey.manifest("acme-dev/client", "v1"))
                .isInstanceOf(RegistryException.class).hasMessageContaining("refused");
    }
}
