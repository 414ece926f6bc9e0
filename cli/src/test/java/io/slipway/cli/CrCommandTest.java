package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Images;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The {@code slipway login} and {@code slipway cr} commands against a real token-authenticated registry. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrCommandTest {
    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;


    @BeforeAll
    void start() throws Exception {
        iam = new IamFixture(tmp.resolve("data"));
        url = iam.server.uri().toString();
        System.setProperty("slipway.home", tmp.resolve("home").toString());
        System.setProperty("docker.config", tmp.resolve("docker").toString());
    }

    @AfterAll
    void stop() throws Exception {
        iam.close();
        System.clearProperty("slipway.home");
        System.clearProperty("docker.config");
    }


    CliRun as(String key, String... args) {
        return CliRun.as(url, key, args);
    }

    void pushImage(String repo, String tag, String key) throws Exception {
        String token = iam.token(key, "repository:" + repo + ":pull,push");
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[303_000];
        for (byte[] blob : List.of(config, layer)) {
            iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                    "Authorization", "Bearer " + token);
        }
        var r = iam.http.put("/v2/" + repo + "/manifests/" + tag, Images.imageManifest(Digest.sha256(config),
                config.length, Digest.sha256(layer), layer.length).getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(201);
    }

    @Test
    void loginSavesCredentialsReadableByTheOwnerOnly() throws Exception {
        CliRun r = CliRun.slipway("login", "--registry", url, "--api-key", iam.keys.get("reader"), "--docker-config");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("as user reader of account acme");
        Path file = tmp.resolve("home/credentials.json");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE));
        assertThat(Files.readString(tmp.resolve("docker/config.json"))).contains(url.replace("http://", ""));
        // Later commands need no flags.
        CliRun list = CliRun.slipway("cr", "namespace-list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("acme-dev").doesNotContain("globex");

        CliRun bad = CliRun.slipway("login", "--registry", url, "--api-key", "slw_not-a-key");
        assertThat(bad.code()).isEqualTo(Slipway.REFUSED);
        assertThat(bad.err()).startsWith("slipway: not logged in, or the credentials were refused");
    }

    @Test
    void namespacesImagesAndServerSideTags() throws Exception {
        String manager = iam.keys.get("manager");
        assertThat(as(manager, "cr", "namespace-add", "acme-tools").code()).isZero();
        pushImage("acme-dev/web", "1.0", manager);
        CliRun tag = as(manager, "cr", "image-tag", "acme-dev/web:1.0", "acme-tools/web:stable");
        assertThat(tag.code()).as(tag.err()).isZero();

        CliRun list = as(manager, "cr", "image-list", "--restrict", "acme-tools");
        assertThat(list.code()).as(list.err()).isZero();
        String[] lines = list.out().split("\n");
        assertThat(lines[0]).matches("REPOSITORY\\s+TAG\\s+DIGEST\\s+NAMESPACE\\s+CREATED\\s+SIZE\\s+KIND");
        assertThat(lines[1]).contains("acme-tools/web").contains("stable").contains("acme-tools")
                .contains(" ago").contains("304 kB") // layer + config + manifest
                .endsWith(" image");
        assertThat(lines).hasSize(2);

        // Two tags of one digest are two rows with the same digest.
        as(manager, "cr", "image-tag", "acme-tools/web:stable", "acme-tools/web:prod");
        CliRun two = as(manager, "cr", "image-list", "--restrict", "acme-tools/web", "--output", "json");
        var rows = Credentials.JSON.readTree(two.out());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).path("digest")).isEqualTo(rows.get(1).path("digest"));
        CliRun digests = as(manager, "cr", "image-digests", "--restrict", "acme-tools");
        assertThat(digests.out()).contains("prod, stable");

        CliRun inspect = as(manager, "cr", "image-inspect", "acme-tools/web:prod");
        assertThat(Credentials.JSON.readTree(inspect.out()).path("tags").toString()).contains("stable", "prod");

        // The reader may not remove; the manager may.
        CliRun denied = as(iam.keys.get("reader"), "cr", "image-rm", "acme-tools/web:prod");
        assertThat(denied.code()).isEqualTo(Slipway.REFUSED);
        assertThat(as(manager, "cr", "image-rm", "acme-tools/web:prod").code()).isZero();
        assertThat(as(manager, "cr", "image-list", "--restrict", "acme-tools", "--output", "json").out().trim())
                .isEqualTo("[ ]");
        CliRun rm = as(manager, "cr", "namespace-rm", "acme-tools");
        assertThat(rm.code()).as(rm.err()).isZero();
    }

    @Test
    void iamVerbs() throws Exception {
        String manager = iam.keys.get("manager");
        assertThat(as(manager, "cr", "iam", "service-id-create", "release-bot").code()).isZero();
        CliRun key = as(manager, "cr", "iam", "api-key-create", "--service-id", "release-bot");
        assertThat(key.code()).as(key.err()).isZero();
        String secret = key.out().lines().reduce((a, b) -> b).orElseThrow().trim();
        assertThat(secret).startsWith("slw_");
        CliRun policy = as(manager, "cr", "iam", "policy-create", "--role", "Writer", "--namespace", "acme-prod",
                "--service-id", "release-bot");
        assertThat(policy.code()).as(policy.err()).isZero();
        CliRun policies = as(manager, "cr", "iam", "policy-list");
        assertThat(policies.out()).contains("service ID release-bot").contains("acme-prod");
        String token = iam.token(secret, "repository:acme-prod/app:push");
        assertThat(IamFixture.access(token).toString()).contains("push");

        CliRun notAdmin = as(manager, "cr", "iam", "account-create", "initech");
        assertThat(notAdmin.code()).isEqualTo(Slipway.REFUSED);
        assertThat(as(iam.adminKey, "cr", "iam", "account-create", "initech").code()).isZero();
        CliRun bad = as(manager, "cr", "iam", "policy-create", "--role", "Owner", "--user", "reader");
        assertThat(bad.code()).isEqualTo(Slipway.REFUSED);
        assertThat(bad.err()).contains("unknown role");
    }

    @Test
    void anUnreachableRegistryHasItsOwnExitCode() {
        CliRun r = CliRun.slipway("cr", "namespace-list", "--registry", "http://127.0.0.1:1", "--api-key", "x");
        assertThat(r.code()).isEqualTo(Slipway.UNREACHABLE);
        assertThat(r.err()).isEqualTo("slipway: cannot reach the registry at http://127.0.0.1:1\n");
    }
}
