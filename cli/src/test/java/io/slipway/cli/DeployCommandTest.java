package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.slipway.registry.testing.IamFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway deploy} against a real bare repository, and {@code slipway chart push} against a real registry. */
class DeployCommandTest {
    @TempDir
    Path tmp;



    static final String VALUES = """
            # dev: what ArgoCD deploys for the dev namespace
            replicaCount: 1

            image:
              repository: registry.example.com/team/app   # set by the pipeline
              tag: "0.1.0"
              pullPolicy: IfNotPresent
            """;

    Path gitopsRepository() throws Exception {
        return gitopsRepository(tmp, java.util.Map.of("envs/dev/values.yaml", VALUES));
    }

    /** A bare repository holding a chart (charts/app, from helm create) and the given files. */
    static Path gitopsRepository(Path tmp, java.util.Map<String, String> files) throws Exception {
        Path bare = tmp.resolve("gitops.git");
        Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
        Path work = tmp.resolve("seed");
        try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(work.toFile()).call()) {
            Files.createDirectories(work.resolve("charts"));
            Helm.create().withName("app").withDir(work.resolve("charts")).call();
            for (var file : files.entrySet()) {
                Files.createDirectories(work.resolve(file.getKey()).getParent());
                Files.writeString(work.resolve(file.getKey()), file.getValue());
            }
            git.add().addFilepattern(".").call();
            git.commit().setMessage("chart and values").setAuthor("seed", "seed@example.com")
                    .setCommitter("seed", "seed@example.com").call();
            git.push().setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main")).call();
        }
        return bare;
    }

    @Test
    void deployWritesOnlyTheImageAndASecondDeployIsANoOp() throws Exception {
        Path bare = gitopsRepository();
        String digest = "sha256:" + "ab".repeat(32);
        String image = "127.0.0.1:5000/team-dev/app:1.0@" + digest;
        CliRun first = CliRun.slipway("deploy", "--gitops", bare.toUri().toString(), "--values", "envs/dev/values.yaml",
                "--chart", "charts/app", "--image", image, "--build-url", "https://ci.example.com/job/7");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("Pushed ");

        Path check = tmp.resolve("check");
        try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(check.toFile()).call()) {
            String values = Files.readString(check.resolve("envs/dev/values.yaml"), StandardCharsets.UTF_8);
            assertThat(values).isEqualTo(VALUES
                    .replace("registry.example.com/team/app", "127.0.0.1:5000/team-dev/app")
                    .replace("\"0.1.0\"", "\"1.0@" + digest + "\""));
            RevCommit head = git.log().setMaxCount(1).call().iterator().next();
            assertThat(head.getFullMessage()).contains("Image-Digest: " + digest)
                    .contains("Build-Url: https://ci.example.com/job/7");
        }
        CliRun again = CliRun.slipway("deploy", "--gitops", bare.toUri().toString(), "--values", "envs/dev/values.yaml",
                "--chart", "charts/app", "--image", image);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).startsWith("Unchanged");

        CliRun bad = CliRun.slipway("deploy", "--gitops", bare.toUri().toString(), "--values", "envs/dev/values.yaml",
                "--image", "not a reference");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).startsWith("slipway: ");
    }

    @Test
    void anImageNoKeyHoldsIsRefusedWithExit3AndTheCandidates() throws Exception {
        Path bare = gitopsRepository();
        String image = "127.0.0.1:5000/team-dev/billing:1.0@sha256:" + "cd".repeat(32);
        CliRun refused = CliRun.slipway("deploy", "--gitops", bare.toUri().toString(), "--values", "envs/dev/values.yaml",
                "--chart", "charts/app", "--image", image);
        assertThat(refused.code()).as(refused.err()).isEqualTo(Slipway.REFUSED);
        assertThat(refused.err()).startsWith("slipway: envs/dev/values.yaml: billing: no image in the values has the repository team-dev/billing")
                .contains("image (registry.example.com/team/app)").contains("--key");

        // Named, it is written where the chart reads it, and the render check proves it.
        CliRun named = CliRun.slipway("deploy", "--gitops", bare.toUri().toString(), "--values", "envs/dev/values.yaml",
                "--chart", "charts/app", "--image", image, "--key", "image");
        assertThat(named.code()).as(named.err()).isZero();
        assertThat(named.out()).contains("now deploys " + image + " (at image.repository, image.tag");

        CliRun badKey = CliRun.slipway("deploy", "--gitops", bare.toUri().toString(), "--values", "envs/dev/values.yaml",
                "--image", image, "--key", "image[");
        assertThat(badKey.code()).as(badKey.err()).isEqualTo(Slipway.BAD_INPUT);
    }

    @Test
    void chartPushStoresTheChartInTheRegistry() throws Exception {
        try (IamFixture iam = new IamFixture(tmp.resolve("data"))) {
            Path charts = Files.createDirectories(tmp.resolve("charts"));
            Helm.create().withName("svc").withDir(charts).call();
            CliRun r = CliRun.slipway("chart", "push", charts.resolve("svc").toString(), "--to",
                    "oci://127.0.0.1:" + iam.server.port() + "/acme-dev", "--api-key", iam.keys.get("ci"), "--plain-http");
            assertThat(r.code()).as(r.err()).isZero();
            String token = iam.token(iam.keys.get("reader"), "repository:acme-dev/svc:pull");
            var tags = iam.http.get("/v2/acme-dev/svc/tags/list", "Authorization", "Bearer " + token);
            assertThat(new String(tags.body(), StandardCharsets.UTF_8)).contains("0.1.0");
            CliRun notAChart = CliRun.slipway("chart", "push", tmp.toString(), "--to", "oci://127.0.0.1:1/x");
            assertThat(notAChart.code()).isEqualTo(Slipway.BAD_INPUT);
        }
    }
}
