package io.slipway.registry.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red Hat simple signing kept by the registry: skopeo signs with GnuPG while copying into Slipway
 * ({@code --sign-by}), the signature travels through the signature extension API, and a
 * {@code signedBy} policy accepts the pull with the signer's key and refuses it with another.
 * Server-side tagging carries the signatures along.
 */
class SkopeoSigningTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void signaturesSurvivePushPullAndTagging() throws Exception {
        Path gpg = ExternalTools.require("gpg");
        Path gnupgHome = Files.createDirectories(tmp.resolve("gnupg"));
        Files.setPosixFilePermissions(gnupgHome, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Map<String, String> gpgEnv = Map.of("GNUPGHOME", gnupgHome.toString());
        Path work = Files.createDirectories(tmp.resolve("work"));
        String signer = newKey(gpg, gpgEnv, work, "Slipway Signer <signer@slipway.test>", "signer.pub");
        newKey(gpg, gpgEnv, work, "Someone Else <other@slipway.test>", "other.pub");

        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withAuth("none")
                .withListen("127.0.0.1:0").withDataDir(tmp.resolve("data")))) {
            String registry = "127.0.0.1:" + server.port();
            Path file = Files.writeString(tmp.resolve("hello.txt"), "signed hello\n");
            JibContainer image = Jib.fromScratch()
                    .addFileEntriesLayer(FileEntriesLayer.builder().addEntry(file, AbsoluteUnixPath.get("/hello.txt")).build())
                    .containerize(Containerizer.to(RegistryImage.named(registry + "/team/unsigned:1"))
                            .setAllowInsecureRegistries(true));
            io.slipway.testing.RegistryHttp http = new io.slipway.testing.RegistryHttp(server.uri());
            assertThat(http.get("/v2/").headers().firstValue("X-Registry-Supports-Signatures")).hasValue("1");

            SkopeoRunner skopeo = new SkopeoRunner(tmp.resolve("skopeo"));
            skopeo.env("GNUPGHOME", gnupgHome.toString());
            skopeo.ok("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--sign-by", signer,
                    "docker://" + registry + "/team/unsigned:1", "docker://" + registry + "/team/signed:1");

            String digest = image.getDigest().toString();
            JsonNode sigs = JSON.readTree(http.get("/extensions/v2/team/signed/signatures/" + digest).body());
            assertThat(sigs.path("signatures")).hasSize(1);
            assertThat(sigs.path("signatures").get(0).path("type").asText()).isEqualTo("atomic");

            // A signedBy policy: the signer's key accepts the pull, another key refuses it.
            skopeo.policy(policy(registry + "/team/signed", work.resolve("signer.pub")));
            skopeo.ok("copy", "--src-tls-verify=false", "docker://" + registry + "/team/signed:1",
                    "dir:" + tmp.resolve("out-ok"));
            skopeo.policy(policy(registry + "/team/signed", work.resolve("other.pub")));
            ExternalTools.Result refused = skopeo.run(List.of("copy", "--src-tls-verify=false",
                    "docker://" + registry + "/team/signed:1", "dir:" + tmp.resolve("out-refused")));
            assertThat(refused.exitCode()).as(refused.describe()).isNotZero();
            assertThat(refused.stderr()).containsIgnoringCase("signature");
            // An unsigned image is refused by the signer's policy too.
            skopeo.policy(policy(registry + "/team/unsigned", work.resolve("signer.pub")));
            assertThat(skopeo.run(List.of("copy", "--src-tls-verify=false", "docker://" + registry + "/team/unsigned:1",
                    "dir:" + tmp.resolve("out-unsigned"))).exitCode()).isNotZero();

            // Server-side tagging copies the signatures.
            var tag = http.post("/api/v1/images/tag", "{\"source\":\"team/signed:1\",\"target\":\"team/promoted:1\"}"
                    .getBytes(), "Content-Type", "application/json");
            assertThat(tag.statusCode()).as(io.slipway.testing.RegistryHttp.text(tag)).isEqualTo(201);
            assertThat(JSON.readTree(http.get("/extensions/v2/team/promoted/signatures/" + digest).body())
                    .path("signatures")).hasSize(1);

            // Bad input: a signature for a manifest that is not there, garbage, the wrong type.
            assertThat(http.put("/extensions/v2/team/signed/signatures/sha256:" + "0".repeat(64),
                    "{\"schemaVersion\":2,\"type\":\"atomic\",\"content\":\"AAAA\"}".getBytes()).statusCode()).isEqualTo(404);
            assertThat(http.put("/extensions/v2/team/signed/signatures/" + digest, "not json".getBytes())
                    .statusCode()).isEqualTo(400);
            assertThat(http.put("/extensions/v2/team/signed/signatures/" + digest,
                    "{\"schemaVersion\":2,\"type\":\"cosign\",\"content\":\"AAAA\"}".getBytes()).statusCode()).isEqualTo(405);
        }
    }

    private Path policy(String scope, Path key) throws Exception {
        Path file = Files.createTempFile(tmp, "policy", ".json");
        Files.writeString(file, "{\"default\":[{\"type\":\"reject\"}],\"transports\":{"
                + "\"docker\":{\"" + scope + "\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\""
                + key + "\"}]},\"dir\":{\"\":[{\"type\":\"insecureAcceptAnything\"}]}}}");
        return file;
    }

    /** Generates an unprotected signing key, exports its public half, returns its fingerprint. */
    private String newKey(Path gpg, Map<String, String> env, Path work, String uid, String exportName) throws Exception {
        ExternalTools.Result gen = ExternalTools.run(work, env, Duration.ofSeconds(120), List.of(gpg.toString(),
                "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid, "rsa2048",
                "sign", "never"));
        assertThat(gen.exitCode()).as(gen.describe()).isZero();
        ExternalTools.Result list = ExternalTools.run(work, env, Duration.ofSeconds(30), List.of(gpg.toString(),
                "--batch", "--with-colons", "--fingerprint", uid));
        String fingerprint = list.stdout().lines().filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow()
                .split(":")[9];
        ExternalTools.Result export = ExternalTools.run(work, env, Duration.ofSeconds(30), List.of(gpg.toString(),
                "--batch", "--output", work.resolve(exportName).toString(), "--export", fingerprint));
        assertThat(export.exitCode()).as(export.describe()).isZero();
        return fingerprint;
    }
}
