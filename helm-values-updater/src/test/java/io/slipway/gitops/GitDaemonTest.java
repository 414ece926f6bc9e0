package io.slipway.gitops;

import io.slipway.testing.RequiredTools;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.helm.values.ImageShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitOps updates against C git's receive-pack, through {@code git daemon} on 127.0.0.1. */
class GitDaemonTest {
    @TempDir
    Path tmp;
    GitDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        boolean available = GitDaemon.available();
        String why = "git daemon is not installed (Debian package git)";
        RequiredTools.require(available, why);
        TestRepos.seedDefault(tmp.resolve("repos/deploy.git"));
        daemon = GitDaemon.start(tmp.resolve("repos"), tmp.resolve("daemon.log"));
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void clonesShallowCommitsAndPushes() throws Exception {
        Path bare = tmp.resolve("repos/deploy.git");
        UpdateResult first = GitOpsUpdate.in(daemon.url("deploy.git")).values(GitOpsUpdateTest.DEV)
                .workFolder(tmp.resolve("work")).image(GitOpsUpdateTest.IMAGE).call();
        assertThat(TestRepos.head(bare, "main")).isEqualTo(first.commit());
        UpdateResult second = GitOpsUpdate.in(daemon.url("deploy.git")).values(GitOpsUpdateTest.DEV)
                .workFolder(tmp.resolve("work")).image("reg.example.com/team/app:1.3.0").call();
        assertThat(TestRepos.head(bare, "main")).isEqualTo(second.commit());
        assertThat(TestRepos.read(bare, "main", GitOpsUpdateTest.DEV)).contains("tag: 1.3.0").contains("digest: \"\"");
        assertThat(TestRepos.log(bare, "main")).hasSize(3);
    }

    @Test
    void concurrentWritersAreRetriedAgainstCGit() throws Exception {
        int writers = 5;
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < writers; i++) {
            values.append("w").append(i).append(":\n  image: reg.example.com/team/w").append(i).append(":v0\n");
        }
        Path bare = TestRepos.seed(tmp.resolve("repos/race.git"), Map.of("values.yaml", values.toString()));
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<UpdateResult>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String alias = "w" + i;
            results.add(pool.submit(() -> {
                go.await();
                return GitOpsUpdate.in(daemon.url("race.git")).values("values.yaml").skipRenderCheck()
                        .workFolder(tmp.resolve("work-" + alias))
                        .image(alias, "reg.example.com/team/" + alias + ":v1", ImageShape.single(alias + ".image")).call();
            }));
        }
        go.countDown();
        for (Future<UpdateResult> f : results) {
            assertThat(f.get(2, TimeUnit.MINUTES).pushed()).isTrue();
        }
        pool.shutdown();
        assertThat(TestRepos.log(bare, "main")).hasSize(writers + 1);
        String after = TestRepos.read(bare, "main", "values.yaml");
        for (int i = 0; i < writers; i++) {
            assertThat(after).contains("image: reg.example.com/team/w" + i + ":v1");
        }
    }
}
