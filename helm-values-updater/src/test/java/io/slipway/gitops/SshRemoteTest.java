package io.slipway.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitOps updates over SSH (key file and known_hosts) against an Apache MINA sshd server on 127.0.0.1. */
class SshRemoteTest {
    @TempDir
    Path tmp;
    SshGitServer server;
    Path bare;
    Path key;
    Path knownHosts;

    @BeforeEach
    void start() throws Exception {
        bare = TestRepos.seedDefault(tmp.resolve("repos/deploy.git"));
        Files.createDirectories(tmp.resolve("ssh"));
        key = tmp.resolve("ssh/id_ecdsa");
        var pair = SshGitServer.newUserKey(key);
        server = new SshGitServer(tmp.resolve("repos").toAbsolutePath(), tmp.resolve("host.ser"), pair.getPublic());
        knownHosts = tmp.resolve("ssh/known_hosts");
        Files.writeString(knownHosts, server.knownHostsLine() + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void pushesWithAKeyFileAndKnownHosts() throws Exception {
        UpdateResult r = GitOpsUpdate.in(server.url("deploy.git")).credentials(GitCredentials.sshKey(key, knownHosts))
                .values(GitOpsUpdateTest.DEV).workFolder(tmp.resolve("work")).image(GitOpsUpdateTest.IMAGE).call();
        assertThat(TestRepos.head(bare, "main")).isEqualTo(r.commit());
        assertThat(TestRepos.read(bare, "main", GitOpsUpdateTest.DEV)).contains("tag: 1.2.0");
    }

    @Test
    void refusesAnUnknownHostKey() throws Exception {
        Path empty = Files.writeString(tmp.resolve("ssh/empty_known_hosts"), "");
        String head = TestRepos.head(bare, "main");
        assertThatThrownBy(() -> GitOpsUpdate.in(server.url("deploy.git")).credentials(GitCredentials.sshKey(key, empty))
                .values(GitOpsUpdateTest.DEV).workFolder(tmp.resolve("w1")).image(GitOpsUpdateTest.IMAGE).call())
                .isInstanceOf(GitOpsException.class)
                .hasMessageContaining("Server key did not validate");
        assertThat(TestRepos.head(bare, "main")).isEqualTo(head);
    }

    @Test
    void refusesAKeyTheServerDoesNotKnow() throws Exception {
        Path otherKey = tmp.resolve("ssh/other");
        SshGitServer.newUserKey(otherKey);
        assertThatThrownBy(() -> GitOpsUpdate.in(server.url("deploy.git")).credentials(GitCredentials.sshKey(otherKey, knownHosts))
                .values(GitOpsUpdateTest.DEV).workFolder(tmp.resolve("w2")).image(GitOpsUpdateTest.IMAGE).call())
                .isInstanceOf(GitOpsException.class)
                .hasMessageContaining("Cannot log in");
    }
}
