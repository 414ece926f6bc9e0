package io.slipway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The management client keeps the step's credentials home (CredentialPolicy): a redirect to another origin is
 * followed without {@code Authorization}, one on the same origin keeps it, and nothing is sent over plain HTTP to
 * a host off this machine. Two HTTP servers on 127.0.0.1 are two origins (their ports differ).
 */
class ManagementClientCredentialsTest {
    HttpServer home;
    HttpServer elsewhere;
    final List<String> seenElsewhere = new CopyOnWriteArrayList<>();
    final List<String> seenHome = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        elsewhere.createContext("/", ex -> {
            seenElsewhere.add(ex.getRequestURI().getPath() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            answer(ex, 200, "{\"where\":\"elsewhere\"}");
        });
        elsewhere.start();
        home = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        home.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            seenHome.add(path + " " + ex.getRequestHeaders().getFirst("Authorization"));
            if (path.equals("/api/v1/away")) {
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/landing");
                answer(ex, 307, "");
            } else if (path.equals("/api/v1/moved")) {
                ex.getResponseHeaders().add("Location", "/api/v1/here");
                answer(ex, 302, "");
            } else {
                answer(ex, 200, "{\"where\":\"home\"}");
            }
        });
        home.start();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    @AfterEach
    void stop() {
        home.stop(0);
        elsewhere.stop(0);
    }

    private ManagementClient client() {
        return new ManagementClient(RegistryAccess.apiKey("http://127.0.0.1:" + home.getAddress().getPort(), "slw_secret"));
    }

    @Test
    void aRedirectToAnotherOriginCarriesNoAuthorization() throws Exception {
        assertThat(client().get("/away").path("where").asText()).isEqualTo("elsewhere");
        assertThat(seenHome).singleElement().asString().startsWith("/api/v1/away Basic ");
        assertThat(seenElsewhere).containsExactly("/landing null");
    }

    @Test
    void aRedirectOnTheSameOriginKeepsIt() throws Exception {
        assertThat(client().get("/moved").path("where").asText()).isEqualTo("home");
        assertThat(seenHome).hasSize(2).allMatch(s -> s.contains(" Basic "));
        assertThat(seenHome.get(1)).startsWith("/api/v1/here ");
    }

    @Test
    void noCredentialsOverPlainHttpOffThisMachine() {
        // 192.0.2.1 is TEST-NET-1: nothing answers there, and nothing is sent, because the client refuses first.
        ManagementClient remote = new ManagementClient(RegistryAccess.apiKey("http://192.0.2.1:5000", "slw_secret"));
        assertThatThrownBy(() -> remote.get("/accounts")).isInstanceOf(IOException.class)
                .hasMessageContaining("refusing to send credentials over plain HTTP to http://192.0.2.1:5000");
    }
}
