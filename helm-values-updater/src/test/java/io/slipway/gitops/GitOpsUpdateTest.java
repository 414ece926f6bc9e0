package io.slipway.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.helm.render.RenderCheckException;
import io.slipway.helm.values.ImageShape;
import io.slipway.helm.values.ValuesException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitOps updates against a bare repository over file://. */
class GitOpsUpdateTest {
    static final String DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
    static final String IMAGE = "reg.example.com/team/app:1.2.0@" + DIGEST;
    static final String DEV = "charts/app/envs/dev/values.yaml";

    @TempDir
    Path tmp;
    Path bare;
    String url;

    @BeforeEach
    void setUp() throws Exception {
        bare = TestRepos.seedDefault(tmp.resolve("deploy.git"));
        url = bare.toUri().toString();
    }

    private GitOpsUpdate update() {
        return GitOpsUpdate.in(url).values(DEV).workFolder(tmp.resolve("work"));
    }

    @Test
    void commitsOnlyTheChangedValuesWithTrailersAndPushes() throws Exception {
        String before = TestRepos.head(bare, "main");
        UpdateResult result = update().image(IMAGE).buildUrl("https://ci.example.com/job/42/").call();

        assertThat(result.status()).isEqualTo(UpdateResult.Status.PUSHED);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.branch()).isEqualTo("main");
        assertThat(TestRepos.head(bare, "main")).isEqualTo(result.commit()).isNotEqualTo(before);
        assertThat(TestRepos.read(bare, "main", DEV)).isEqualTo(TestRepos.DEV_VALUES
                .replace("tag: 0.1.0", "tag: 1.2.0").replace("digest: \"\"", "digest: \"" + DIGEST + "\""));
        assertThat(TestRepos.read(bare, "main", "charts/app/envs/prod/values.yaml")).contains("tag: 0.1.0");
        assertThat(result.changes()).extracting(c -> c.path().toString()).containsExactly("image.tag", "image.digest");
        assertThat(result.rendered()).extracting(r -> r.image()).contains("reg.example.com/team/app@" + DIGEST);

        RevCommit commit = TestRepos.log(bare, "main").get(0);
        assertThat(commit.getShortMessage()).isEqualTo("Deploy " + IMAGE + " to dev");
        assertThat(commit.getFooterLines("Image")).containsExactly(IMAGE);
        assertThat(commit.getFooterLines("Image-Digest")).containsExactly(DIGEST);
        assertThat(commit.getFooterLines("Build-Url")).containsExactly("https://ci.example.com/job/42/");
        assertThat(commit.getAuthorIdent().getName()).isEqualTo("Slipway");
        // the work folder is a shallow clone: one commit of history
        assertThat(tmp.resolve("work/.git/shallow")).isRegularFile();
    }

    @Test
    void makesNoCommitWhenTheValuesAlreadyHoldTheImage() throws Exception {
        UpdateResult first = update().image(IMAGE).call();
        UpdateResult again = update().image(IMAGE).call();
        assertThat(again.status()).isEqualTo(UpdateResult.Status.UNCHANGED);
        assertThat(again.commit()).isEqualTo(first.commit());
        assertThat(TestRepos.head(bare, "main")).isEqualTo(first.commit());
        assertThat(TestRepos.log(bare, "main")).hasSize(2);
    }

    @Test
    void reusesTheWorkFolderAndSeesCommitsMadeElsewhere() throws Exception {
        update().image(IMAGE).call();
        // someone else changes prod meanwhile, through another folder
        GitOpsUpdate.in(url).values("charts/app/envs/prod/values.yaml").workFolder(tmp.resolve("other"))
                .image("reg.example.com/team/app:1.1.0").call();
        // {alias} of an image given without one is its name (app), as markers and --key aliases use it.
        UpdateResult second = update().image("reg.example.com/team/app:1.3.0@" + DIGEST).message("{alias} {tag} for {env}").call();
        assertThat(second.attempts()).isEqualTo(1);
        assertThat(TestRepos.log(bare, "main")).extracting(RevCommit::getShortMessage)
                .containsExactly("app 1.3.0 for dev", "Deploy reg.example.com/team/app:1.1.0 to prod",
                        "Deploy " + IMAGE + " to dev", "seed");
        try (Git git = Git.open(tmp.resolve("work").toFile())) {
            assertThat(git.status().call().isClean()).isTrue();
        }
    }

    @Test
    void reAppliesTheEditWhenThePushLosesARace() throws Exception {
        UpdateResult result = update().image(IMAGE).beforePush(attempt -> {
            if (attempt == 1) {
                GitOpsUpdate.in(url).values("charts/app/envs/prod/values.yaml").workFolder(tmp.resolve("rival"))
                        .image("reg.example.com/team/app:9.9.9").call();
            }
        }).call();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(TestRepos.log(bare, "main")).hasSize(3);
        assertThat(TestRepos.read(bare, "main", DEV)).contains("tag: 1.2.0");
        assertThat(TestRepos.read(bare, "main", "charts/app/envs/prod/values.yaml")).contains("tag: 9.9.9");
    }

    @Test
    void givesUpAfterTheAttemptLimit() throws Exception {
        int[] rivals = {0};
        assertThatThrownBy(() -> update().image(IMAGE).maxAttempts(2).beforePush(attempt ->
                GitOpsUpdate.in(url).values("charts/app/envs/prod/values.yaml").workFolder(tmp.resolve("rival"))
                        .image("reg.example.com/team/app:9.9." + (++rivals[0])).call()).call())
                .isInstanceOf(GitOpsException.class).hasMessageContaining("gave up after 2 pushes");
        assertThat(TestRepos.read(bare, "main", DEV)).contains("tag: 0.1.0");
    }

    @Test
    void pullRequestModePushesToAReviewBranch() throws Exception {
        String main = TestRepos.head(bare, "main");
        UpdateResult result = update().image(IMAGE).pullRequest(true).call();
        assertThat(result.branch()).isEqualTo("slipway/dev/app-4f53cda18c2b");
        assertThat(TestRepos.head(bare, "main")).isEqualTo(main);
        assertThat(TestRepos.head(bare, result.branch())).isEqualTo(result.commit());
        assertThat(TestRepos.read(bare, result.branch(), DEV)).contains("tag: 1.2.0");
        // running it again rebuilds the same review branch
        UpdateResult again = update().image(IMAGE).pullRequest(true).message("again").call();
        assertThat(again.branch()).isEqualTo(result.branch());
        assertThat(TestRepos.log(bare, result.branch()).get(0).getShortMessage()).isEqualTo("again");
    }

    @Test
    void aChartThatIgnoresTheValuesStopsTheCommit() throws Exception {
        Path ignoring = tmp.resolve("ignoring.git");
        TestRepos.seed(ignoring, Map.of("charts/app/templates/deployment.yaml",
                Files.readString(Path.of("src/test/resources/charts/ignores-values/templates/deployment.yaml")),
                "charts/app/envs/dev/values.yaml", TestRepos.DEV_VALUES));
        String head = TestRepos.head(ignoring, "main");
        assertThatThrownBy(() -> GitOpsUpdate.in(ignoring.toUri().toString()).values(DEV).workFolder(tmp.resolve("w2"))
                .image(IMAGE).call())
                .isInstanceOf(RenderCheckException.class)
                .hasMessageContaining("image: \"reg.example.com/team/app:0.1.0\"")
                .hasMessageContaining("app/templates/deployment.yaml, rendered line");
        assertThat(TestRepos.head(ignoring, "main")).isEqualTo(head);
        try (Git git = Git.open(tmp.resolve("w2").toFile())) {
            assertThat(git.status().call().isClean()).isTrue();
        }
    }

    @Test
    void badValuesAreRefusedWithoutAPush() throws Exception {
        String head = TestRepos.head(bare, "main");
        assertThatThrownBy(() -> update().image("app", "reg.example.com/team/app:1.2.0", ImageShape.split("image.tag")).call()) // tag is a scalar
                .isInstanceOf(ValuesException.class)
                .hasMessageStartingWith(DEV + ": ")
                .hasMessageContaining("image.tag is the value \"0.1.0\"");
        assertThatThrownBy(() -> update().image("reg.example.com/Team/app:1")).isInstanceOf(ValuesException.class)
                .hasMessageContaining("Team");
        assertThatThrownBy(() -> GitOpsUpdate.in(url).values("charts/app/envs/qa/values.yaml").workFolder(tmp.resolve("work"))
                .image(IMAGE).call()).isInstanceOf(GitOpsException.class).hasMessageContaining("has no file charts/app/envs/qa/values.yaml");
        assertThat(TestRepos.head(bare, "main")).isEqualTo(head);
    }

    @Test
    void refusesAWorkFolderOfAnotherRepository() throws Exception {
        update().image(IMAGE).call();
        Path other = TestRepos.seedDefault(tmp.resolve("other.git"));
        assertThatThrownBy(() -> GitOpsUpdate.in(other.toUri().toString()).values(DEV).workFolder(tmp.resolve("work"))
                .image(IMAGE).call()).isInstanceOf(GitOpsException.class).hasMessageContaining("is a clone of");
    }

    @Test
    void writesSeveralImagesByAlias() throws Exception {
        Path multi = TestRepos.seed(tmp.resolve("multi.git"), Map.of("envs/dev/values.yaml",
                "api:\n  image:\n    repository: reg.example.com/team/api\n    tag: v1\nworker:\n  image: reg.example.com/team/worker:v1\n"));
        UpdateResult r = GitOpsUpdate.in(multi.toUri().toString()).values("envs/dev/values.yaml").workFolder(tmp.resolve("w3"))
                .skipRenderCheck()
                .image("api", "reg.example.com/team/api:v2@" + DIGEST, ImageShape.split("api.image"))
                .image("worker", "reg.example.com/team/worker:v2", ImageShape.single("worker.image"))
                .call();
        assertThat(TestRepos.read(multi, "main", "envs/dev/values.yaml")).isEqualTo(
                "api:\n  image:\n    repository: reg.example.com/team/api\n    tag: v2@" + DIGEST + "\nworker:\n  image: reg.example.com/team/worker:v2\n");
        assertThat(TestRepos.log(multi, "main").get(0).getFooterLines("Image")).hasSize(2);
        assertThat(r.changes()).hasSize(2);
    }

    @Test
    void concurrentUpdatesWithRenderChecksAllLand() throws Exception {
        // helm-java calls into one native Helm library: several updates rendering at once must not interfere.
        String[] envs = {"dev", "prod", "qa", "stage"};
        java.util.Map<String, String> files = new java.util.HashMap<>();
        for (String env : envs) {
            files.put("charts/app/envs/" + env + "/values.yaml", TestRepos.DEV_VALUES);
        }
        Path repo = TestRepos.seed(tmp.resolve("four.git"), files);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(envs.length);
        var results = new java.util.ArrayList<java.util.concurrent.Future<UpdateResult>>();
        for (String env : envs) {
            results.add(pool.submit(() -> GitOpsUpdate.in(repo.toUri().toString())
                    .values("charts/app/envs/" + env + "/values.yaml").workFolder(tmp.resolve("w-" + env))
                    .image("reg.example.com/team/app:" + env + "@" + DIGEST).call()));
        }
        for (var f : results) {
            UpdateResult r = f.get(2, java.util.concurrent.TimeUnit.MINUTES);
            assertThat(r.rendered()).extracting(i -> i.image()).contains("reg.example.com/team/app@" + DIGEST);
        }
        pool.shutdown();
        for (String env : envs) {
            assertThat(TestRepos.read(repo, "main", "charts/app/envs/" + env + "/values.yaml")).contains("tag: " + env + " # set by the pipeline");
        }
        assertThat(TestRepos.log(repo, "main")).hasSize(envs.length + 1);
    }

    @Test
    void environmentDefaultsToTheValuesFolder() {
        assertThat(GitOpsUpdate.defaultEnvironment("envs/prod/values.yaml")).isEqualTo("prod");
        assertThat(GitOpsUpdate.defaultEnvironment("values-staging.yaml")).isEqualTo("values-staging");
    }
}
