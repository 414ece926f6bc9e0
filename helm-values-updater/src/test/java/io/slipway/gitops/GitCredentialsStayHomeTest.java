package io.slipway.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git tokens stay home (CredentialPolicy, through HomeOnlyGitHttp): JGit's smart-HTTP server on 127.0.0.1 holds the
 * repository and would accept the token; the remote the update names is another origin that takes the token and then
 * redirects there. JGit follows that redirect itself and would carry the Basic header it already chose; here the
 * redirected requests carry none, so the update fails as unauthorized and the other origin never sees the token.
 */
class GitCredentialsStayHomeTest {
    static final String TOKEN = GitServersTest.TOKEN;

    @TempDir
    Path tmp;
    GitHttpServer git;
    HttpServer redirector;
    final List<String> seenByRemote = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        TestRepos.seedDefault(tmp.resolve("repos/deploy.git"));
        git = new GitHttpServer(tmp.resolve("repos"), Map.of("x-access-token", TOKEN));
        String elsewhere = git.url("deploy.git").replaceAll("/git/deploy\\.git$", "");
        redirector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        redirector.createContext("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"forge\"");
                ex.sendResponseHeaders(401, -1);
            } else {
                seenByRemote.add(auth);
                ex.getResponseHeaders().add("Location", elsewhere + ex.getRequestURI());
                ex.sendResponseHeaders(302, -1);
            }
            ex.close();
        });
        redirector.start();
    }

    @AfterEach
    void stop() throws Exception {
        redirector.stop(0);
        git.close();
    }

    @Test
    void aRedirectToAnotherOriginGetsNoToken() {
        String remote = "http://127.0.0.1:" + redirector.getAddress().getPort() + "/git/deploy.git";
        assertThatThrownBy(() -> GitOpsUpdate.in(remote).credentials(GitCredentials.token(TOKEN))
                .values(GitOpsUpdateTest.DEV).workFolder(tmp.resolve("work")).image(GitOpsUpdateTest.IMAGE).call())
                .isInstanceOf(GitOpsException.class);
        String basic = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + TOKEN).getBytes(StandardCharsets.UTF_8));
        assertThat(seenByRemote).as("the remote's own origin gets the token").contains(basic);
        assertThat(git.authorizations).as("the origin a redirect leads to").isEmpty();
    }

    @Test
    void aTokenGoesOverPlainHttpOnlyToLoopback() {
        // 192.0.2.1 is TEST-NET-1: nothing answers, and nothing is sent, because the credentials are refused first.
        assertThatThrownBy(() -> GitOpsUpdate.in("http://192.0.2.1/team/deploy.git").credentials(GitCredentials.token(TOKEN))
                .values(GitOpsUpdateTest.DEV).workFolder(tmp.resolve("work2")).image(GitOpsUpdateTest.IMAGE).call())
                .isInstanceOf(GitOpsException.class)
                .hasMessageContaining("refusing to send the Git token or password over plain HTTP to http://192.0.2.1:80");
        assertThat(Files.exists(tmp.resolve("work2/.git"))).isFalse();
    }
}
