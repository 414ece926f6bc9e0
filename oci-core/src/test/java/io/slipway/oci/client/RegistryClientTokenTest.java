package io.slipway.oci.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.slipway.oci.Digest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token flow's bookkeeping, which the real registry cannot show from outside: which token
 * requests are made, with which credentials and scopes. (The client is run against the real
 * registry in the cli module's PipelineEndToEndTest.)
 */
class RegistryClientTokenTest {
    HttpServer server;
    String url;
    final List<String> tokenRequests = new ArrayList<>();
    final List<String> refused = new ArrayList<>();
    final byte[] blob = "layer".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        url = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/token", ex -> {
            tokenRequests.add(ex.getRequestURI().getRawQuery() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            boolean ok = ("Basic " + Base64.getEncoder().encodeToString("iamapikey:good".getBytes()))
                    .equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ok ? "{\"token\":\"T\"}".getBytes() : "{}".getBytes();
            ex.sendResponseHeaders(ok ? 200 : 401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/v2/", ex -> {
            if (!"Bearer T".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                refused.add(ex.getRequestMethod());
                ex.getResponseHeaders().add("WWW-Authenticate",
                        "Bearer realm=\"" + url + "/token\",service=\"slipway\",scope=\"repository:ns/app:pull\"");
                ex.sendResponseHeaders(401, -1);
            } else if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(404, -1);
            } else if (ex.getRequestMethod().equals("POST")) {
                byte[] got = ex.getRequestBody().readAllBytes();
                String query = ex.getRequestURI().getQuery();
                ex.sendResponseHeaders(query.equals("digest=" + Digest.sha256(got)) ? 201 : 400, -1);
            } else {
                ex.sendResponseHeaders(200, blob.length);
                ex.getResponseBody().write(blob);
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void oneTokenPerScopeAskedWithBasicCredentials() throws Exception {
        RegistryClient client = new RegistryClient(url, "iamapikey", "good");
        Digest d = Digest.sha256(blob);
        assertThat(client.blob("ns/app", d)).isEqualTo(blob);
        assertThat(client.blob("ns/app", d)).isEqualTo(blob);
        assertThat(tokenRequests).hasSize(1);
        assertThat(tokenRequests.get(0)).contains("service=slipway").contains("scope=repository%3Ans%2Fapp%3Apull ");
        // A push needs pull,push: its own token, even though the challenge named pull only.
        client.uploadBlob("ns/app", blob);
        assertThat(tokenRequests).hasSize(2);
        assertThat(tokenRequests.get(1)).contains("scope=repository%3Ans%2Fapp%3Apull%2Cpush");
        // and gets it from the realm already known before sending the blob: a body sent without a token
        // is refused part-way, and the server may close the connection before the client reads the answer
        assertThat(refused).containsExactly("GET");
    }

    @Test
    void refusedCredentialsAndAnUnreachableRegistryAreTold() {
        RegistryClient bad = new RegistryClient(url, "iamapikey", "bad");
        assertThatThrownBy(() -> bad.blob("ns/app", Digest.sha256(blob))).isInstanceOf(RegistryException.class)
                .hasMessageContaining("refused");
        RegistryClient nowhere = new RegistryClient("http://127.0.0.1:1", null, null);
        assertThatThrownBy(() -> nowhere.blob("ns/app", Digest.sha256(blob)))
                .isInstanceOf(RegistryUnreachableException.class);
    }

    @Test
    void aBlobIsStreamedToAFileAndAMismatchLeavesNoFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        RegistryClient client = new RegistryClient(url, "iamapikey", "good");
        java.nio.file.Path good = dir.resolve("good");
        client.blobTo("ns/app", Digest.sha256(blob), good);
        assertThat(java.nio.file.Files.readAllBytes(good)).isEqualTo(blob);
        // The server sends "layer" whatever is asked: asked for another digest, the bytes do not match.
        java.nio.file.Path bad = dir.resolve("bad");
        assertThatThrownBy(() -> client.blobTo("ns/app", Digest.sha256("other"), bad))
                .hasMessageContaining("does not match its digest");
        try (var left = java.nio.file.Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("good");
        }
    }
}
