package io.slipway.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.helm.values.ImageShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitOps updates against JGit's HTTP server on 127.0.0.1 with Basic authentication. */
class GitServersTest {
    static final String DIGEST = GitOpsUpdateTest.DIGEST;
    static final String IMAGE = GitOpsUpdateTest.IMAGE;
    static final String DEV = GitOpsUpdateTest.DEV;
    static final String TOKEN = "glpat-test-token-1234";

    @TempDir
    Path tmp;
    GitHttpServer server;
    Path bare;

    @BeforeEach
    void start() throws Exception {
        bare = TestRepos.seedDefault(tmp.resolve("repos/deploy.git"));
        server = new GitHttpServer(tmp.resolve("repos"), Map.of("ci", "s3cret", "x-access-token", TOKEN));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void pushesOverHttpsStyleAuthWithUserAndPassword() throws Exception {
        UpdateResult r = GitOpsUpdate.in(server.url("deploy.git")).credentials(GitCredentials.userPassword("ci", "s3cret"))
                .values(DEV).workFolder(tmp.resolve("work")).image(IMAGE).call();
        assertThat(r.pushed()).isTrue();
        assertThat(TestRepos.head(bare, "main")).isEqualTo(r.commit());
        assertThat(TestRepos.read(bare, "main", DEV)).contains("digest: \"" + DIGEST + "\"");
    }

    @Test
    void pushesWithAToken() throws Exception {
        UpdateResult r = GitOpsUpdate.in(server.url("deploy.git")).credentials(GitCredentials.token(TOKEN))
                .values(DEV).workFolder(tmp.resolve("work")).image(IMAGE).call();
        assertThat(TestRepos.head(bare, "main")).isEqualTo(r.commit());
    }

    @Test
    void wrongOrMissingCredentialsFailWithoutAPush() throws Exception {
        String head = TestRepos.head(bare, "main");
        assertThatThrownBy(() -> GitOpsUpdate.in(server.url("deploy.git")).credentials(GitCredentials.userPassword("ci", "wrong"))
                .values(DEV).workFolder(tmp.resolve("w1")).image(IMAGE).call())
                .isInstanceOf(GitOpsException.class).hasMessageContaining("not authorized");
        assertThatThrownBy(() -> GitOpsUpdate.in(server.url("deploy.git"))
                .values(DEV).workFolder(tmp.resolve("w2")).image(IMAGE).call())
                .isInstanceOf(GitOpsException.class).hasMessageContaining("uthentication");
        assertThat(server.refusedLogins.get()).isPositive();
        assertThat(TestRepos.head(bare, "main")).isEqualTo(head);
    }

    /** Twenty writers update twenty images of one values file at once; every commit lands. */
    @Test
    void twentyConcurrentWritersLoseNoCommit() throws Exception {
        int writers = 20;
        StringBuilder values = new StringBuilder("# twenty services\n");
        for (int i = 0; i < writers; i++) {
            values.append(String.format("svc%02d:%n  image:%n    repository: reg.example.com/team/svc%02d%n    tag: v0%n", i, i));
        }
        Path race = TestRepos.seed(tmp.resolve("repos/race.git"), Map.of("envs/dev/values.yaml", values.toString()));
        String url = server.url("race.git");
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<UpdateResult>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String name = String.format("svc%02d", i);
            results.add(pool.submit(() -> {
                start.await();
                return GitOpsUpdate.in(url).credentials(GitCredentials.userPassword("ci", "s3cret"))
                        .values("envs/dev/values.yaml").workFolder(tmp.resolve("work-" + name)).skipRenderCheck()
                        .image(name, "reg.example.com/team/" + name + ":v1@" + DIGEST, ImageShape.split(name + ".image"))
                        .call();
            }));
        }
        start.countDown();
        int retried = 0;
        int maxAttempts = 0;
        Set<String> commits = new HashSet<>();
        for (Future<UpdateResult> f : results) {
            UpdateResult r = f.get(5, TimeUnit.MINUTES);
            assertThat(r.pushed()).isTrue();
            commits.add(r.commit());
            retried += r.attempts() > 1 ? 1 : 0;
            maxAttempts = Math.max(maxAttempts, r.attempts());
        }
        pool.shutdown();

        List<RevCommit> log = TestRepos.log(race, "main");
        assertThat(log).hasSize(writers + 1);
        assertThat(log.subList(0, writers)).extracting(RevCommit::name).containsExactlyInAnyOrderElementsOf(commits);
        String finalValues = TestRepos.read(race, "main", "envs/dev/values.yaml");
        for (int i = 0; i < writers; i++) {
            String name = String.format("svc%02d", i);
            assertThat(finalValues).contains("repository: reg.example.com/team/" + name + "\n    tag: v1@" + DIGEST);
        }
        assertThat(finalValues).doesNotContain("tag: v0");
        assertThat(log.subList(0, writers)).allSatisfy(c -> assertThat(c.getFooterLines("Image")).hasSize(1));
        // With twenty writers on one branch, pushes must have raced; the retries are what kept them.
        assertThat(retried).isPositive();
        System.out.println("twenty writers: " + retried + " retried, at most " + maxAttempts + " pushes for one writer");
    }
}
