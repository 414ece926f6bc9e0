package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Images;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway cr immutable-tags-*} and {@code cr quota[-set]} against a real token-authenticated registry. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecycleCommandsTest {
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

    void pushImage(String repo, String tag, String key, byte[] layer) throws Exception {
        String token = iam.token(key, "repository:" + repo + ":pull,push");
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
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
    void immutableTagRules() throws Exception {
        String manager = iam.keys.get("manager");
        pushImage("acme-dev/api", "1.0", manager, "one".getBytes(StandardCharsets.UTF_8));
        pushImage("acme-dev/api", "edge", manager, "two".getBytes(StandardCharsets.UTF_8));
        CliRun set = as(manager, "cr", "immutable-tags-set", "acme-dev/api", "1.*");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("Tags matching \"1.*\" in acme-dev/api are immutable.");

        CliRun tag = as(manager, "cr", "image-tag", "acme-dev/api:edge", "acme-dev/api:1.0");
        assertThat(tag.code()).isEqualTo(Slipway.REFUSED);
        assertThat(tag.err()).contains("tag 1.0 of acme-dev/api is immutable (rule \"1.*\" on acme-dev/api)");
        CliRun rm = as(manager, "cr", "image-rm", "acme-dev/api:1.0");
        assertThat(rm.code()).isEqualTo(Slipway.REFUSED);
        assertThat(rm.err()).contains("immutable");

        CliRun list = as(iam.keys.get("writer"), "cr", "immutable-tags-list", "acme-dev");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out().split("\n")[0]).matches("SCOPE\\s+GLOB\\s+CREATED BY\\s+CREATED");
        assertThat(list.out()).contains("acme-dev/api").contains("1.*").contains("user:acme/manager");
        CliRun json = as(manager, "cr", "immutable-tags-list", "--output", "json");
        assertThat(Credentials.JSON.readTree(json.out()).path(0).path("glob").asText()).isEqualTo("1.*");

        // The registry judges the glob (exit 3, refused by the registry, with what it accepts).
        CliRun bad = as(manager, "cr", "immutable-tags-set", "acme-dev", "v[0-9]");
        assertThat(bad.code()).isEqualTo(Slipway.REFUSED);
        assertThat(bad.err()).contains("glob");
        CliRun removed = as(manager, "cr", "immutable-tags-rm", "acme-dev/api", "1.*");
        assertThat(removed.code()).as(removed.err()).isZero();
        assertThat(as(manager, "cr", "image-tag", "acme-dev/api:edge", "acme-dev/api:1.0").code()).isZero();
    }

    @Test
    void quotas() throws Exception {
        CliRun refused = as(iam.keys.get("manager"), "cr", "quota-set", "--storage", "1GB");
        assertThat(refused.code()).isEqualTo(Slipway.REFUSED);
        assertThat(refused.err()).contains("only the registry administrator sets quotas");

        CliRun set = as(iam.adminKey, "cr", "quota-set", "--account", "acme", "--storage", "500MB", "--traffic", "2GiB");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("Account acme").contains("500 MB").contains("2.1 GB");

        CliRun mine = as(iam.keys.get("reader"), "cr", "quota", "--output", "json");
        assertThat(mine.code()).as(mine.err()).isZero();
        var q = Credentials.JSON.readTree(mine.out());
        assertThat(q.path("storage").path("limit").asLong()).isEqualTo(500_000_000L);
        assertThat(q.path("traffic").path("limit").asLong()).isEqualTo(2L << 30);

        CliRun table = as(iam.keys.get("reader"), "cr", "quota");
        assertThat(table.out()).containsPattern("storage\\s+500 MB\\s+");

        CliRun bad = as(iam.adminKey, "cr", "quota-set", "--account", "acme", "--storage", "lots");
        assertThat(bad.code()).isEqualTo(Slipway.REFUSED);
        assertThat(bad.err()).contains("not a size: \"lots\"");
        assertThat(as(iam.adminKey, "cr", "quota-set", "--account", "acme").code()).isEqualTo(Slipway.BAD_INPUT);
    }

    @Test
    void retention() throws Exception {
        String manager = iam.keys.get("manager");
        iam.api(manager, "POST", "/api/v1/namespaces", "{\"name\":\"acme-ret\"}", 201);
        for (String tag : List.of("old", "mid", "new")) {
            pushImage("acme-ret/svc", tag, manager, tag.getBytes(StandardCharsets.UTF_8));
            Thread.sleep(3); // each image its own push millisecond, so "newest" is one order
        }
        CliRun refused = as(iam.keys.get("reader"), "cr", "retention-policy-set", "--images", "1", "acme-ret");
        assertThat(refused.code()).isEqualTo(Slipway.REFUSED);
        assertThat(refused.err()).contains("only a Manager of namespace acme-ret");

        CliRun set = as(manager, "cr", "retention-policy-set", "--images", "1", "acme-ret");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("Namespace acme-ret keeps the newest 1 images per repository.");
        CliRun list = as(iam.keys.get("reader"), "cr", "retention-policy-list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out().split("\n")[0]).matches("NAMESPACE\\s+IMAGES\\s+RETAIN UNTAGGED\\s+UPDATED BY\\s+UPDATED");
        assertThat(list.out()).containsPattern("acme-ret\\s+1\\s+no\\s+user:acme/manager");

        CliRun dry = as(manager, "cr", "retention-run", "--dry-run", "acme-ret");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).containsPattern("would trash\\s+acme-ret/svc\\s+old")
                .containsPattern("would trash\\s+acme-ret/svc\\s+mid")
                .contains("Would move 2 images of acme-ret to the trash; kept 1.");
        assertThat(as(manager, "cr", "trash-list", "--restrict", "acme-ret").out()).doesNotContain("acme-ret/svc");

        CliRun run = as(manager, "cr", "retention-run", "acme-ret", "--output", "json");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(Credentials.JSON.readTree(run.out()).path("trashed")).hasSize(2);
        CliRun trash = as(manager, "cr", "trash-list", "--restrict", "acme-ret");
        assertThat(trash.out()).contains("old").contains("mid").doesNotContain("new");
        CliRun restore = as(manager, "cr", "image-restore", "acme-ret/svc:mid");
        assertThat(restore.code()).as(restore.err()).isZero();

        CliRun prune = as(manager, "cr", "image-prune-untagged", "acme-ret");
        assertThat(prune.code()).as(prune.err()).isZero();
        assertThat(prune.out()).contains("Moved 0 images of acme-ret to the trash; kept 2.");
    }
}
