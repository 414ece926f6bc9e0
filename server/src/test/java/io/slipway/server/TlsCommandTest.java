package io.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.cli.Slipway;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.tls.PemKeyStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway tls self-signed} writes files a registry serves HTTPS from and a client trusts. */
class TlsCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesCertificatesTheRegistryServesAndClientsTrust() throws Exception {
        Path out = tmp.resolve("certs");
        StringWriter stdout = new StringWriter();
        int code = Slipway.run(new PrintWriter(stdout), new PrintWriter(new StringWriter()),
                "tls", "self-signed", "--host", "localhost", "--host", "127.0.0.1", "--output-dir", out.toString());
        assertThat(code).isZero();
        assertThat(out.resolve("ca.crt")).exists();
        Path config = Files.writeString(tmp.resolve("slipway.yaml"), """
                listen: 127.0.0.1:0
                data: data
                auth: none
                tls: {cert: certs/tls.crt, key: certs/tls.key}
                """);
        try (RegistryServer server = RegistryServer.start(RegistryConfig.load(config))) {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(PemKeyStore.trustStore(out.resolve("ca.crt")));
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(ssl).build().send(
                    HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + server.port() + "/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        int bad = Slipway.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "tls", "self-signed", "--output-dir", out.toString());
        assertThat(bad).isEqualTo(Slipway.BAD_INPUT);
    }
}
