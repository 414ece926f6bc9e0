package io.slipway.registry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.testing.TestTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry listener over HTTPS: HTTP/2 and HTTP/1.1, TLS 1.2/1.3 only, certificates rotated in place. */
class HttpsListenerTest {
    @TempDir
    Path tmp;

    private RegistryServer start(TestTls tls) throws Exception {
        RegistryConfig c = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                .withDataDir(tmp.resolve("data"));
        return RegistryServer.start(c.withListeners(c.listeners().withTls(tls.tlsFiles())));
    }

    @Test
    void answersOverHttp2AndHttp11WithTheCaTrusted() throws Exception {
        TestTls tls = TestTls.create(tmp.resolve("tls"));
        try (RegistryServer server = start(tls)) {
            assertThat(server.uri().getScheme()).isEqualTo("https");
            for (HttpClient.Version v : HttpClient.Version.values()) {
                HttpResponse<String> r = tls.client(v).send(HttpRequest.newBuilder(server.uri().resolve("/v2/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.version()).as("ALPN chose what the client asked for").isEqualTo(v);
            }
            // A client that does not trust the CA is refused: verification stays on.
            HttpClient untrusting = HttpClient.newHttpClient();
            assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(server.uri().resolve("/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    /**
     * A large blob pushed over TLS arrives in 16 KiB records, which the file store gathers into
     * 1 MiB writes past its first 8 MiB: over both protocols, the bytes read back are the bytes
     * sent, the tail past the last whole stage included.
     */
    @Test
    void aLargeBlobPushedOverTlsReadsBackWhole() throws Exception {
        TestTls tls = TestTls.create(tmp.resolve("tls"));
        byte[] blob = new byte[(9 << 20) + 12_345];
        new java.util.Random(7).nextBytes(blob);
        try (RegistryServer server = start(tls)) {
            for (HttpClient.Version v : HttpClient.Version.values()) {
                blob[0] = (byte) v.ordinal();
                String digest = io.slipway.oci.Digest.sha256(blob).toString();
                HttpResponse<String> put = tls.client(v).send(HttpRequest.newBuilder(
                        server.uri().resolve("/v2/tls/big/blobs/uploads/?digest=" + digest))
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(put.statusCode()).as(v + ": " + put.body()).isEqualTo(201);
                HttpResponse<byte[]> get = tls.client(v).send(HttpRequest.newBuilder(
                        server.uri().resolve("/v2/tls/big/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(get.body()).as(v.toString()).isEqualTo(blob);
            }
        }
    }

    /**
     * The listener reads the socket ahead of what TLS has decrypted. Requests a client pipelines
     * behind a body (here in the same writes, so in the same reads) are answered, not left waiting
     * in the read-ahead for socket data that never comes.
     */
    @Test
    void requestsPipelinedBehindABodyAreAnsweredFromTheReadAhead() throws Exception {
        TestTls tls = TestTls.create(tmp.resolve("tls"));
        byte[] blob = new byte[700_000];
        new java.util.Random(11).nextBytes(blob);
        String digest = io.slipway.oci.Digest.sha256(blob).toString();
        try (RegistryServer server = start(tls);
                SSLSocket s = (SSLSocket) tls.trusting().getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000); // a request stuck in the read-ahead fails the test instead of hanging it
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.writeBytes(("POST /v2/tls/pipe/blobs/uploads/?digest=" + digest + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + blob.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            all.writeBytes(blob);
            OutputStream out = s.getOutputStream();
            out.write(all.toByteArray());
            // Each write is its own TLS record: the requests' records follow the body's last one
            // and arrive with it in one socket read.
            out.write(("GET /v2/tls/pipe/blobs/" + digest + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(readResponse(in).head()).startsWith("HTTP/1.1 201");
            Response blobBack = readResponse(in);
            assertThat(blobBack.head()).startsWith("HTTP/1.1 200");
            assertThat(blobBack.body()).isEqualTo(blob);
            assertThat(readResponse(in).head()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void offersTls12And13Only() throws Exception {
        TestTls tls = TestTls.create(tmp.resolve("tls"));
        try (RegistryServer server = start(tls)) {
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                try (SSLSocket s = (SSLSocket) tls.trusting().getSocketFactory().createSocket("127.0.0.1", server.port())) {
                    s.setEnabledProtocols(new String[] {protocol});
                    s.startHandshake();
                    assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
                }
            }
            // The JDK client no longer speaks TLS 1.1 at all; openssl still can, when told to.
            Path openssl = Path.of("/usr/bin/openssl");
            if (Files.isExecutable(openssl)) {
                Process p = new ProcessBuilder(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + server.port(),
                        "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0").redirectErrorStream(true).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(out).isNotZero();
                assertThat(out).as("the server refuses TLS 1.1 with a protocol_version alert").contains("alert protocol version")
                        .contains("Cipher is (NONE)");
            }
        }
    }

    @Test
    void aRotatedCertificateServesNewHandshakesWhileOpenConnectionsKeepWorking() throws Exception {
        TestTls first = TestTls.create(tmp.resolve("first"));
        Path live = Files.createDirectories(tmp.resolve("live"));
        Files.copy(first.files.cert(), live.resolve("tls.crt"));
        Files.copy(first.files.key(), live.resolve("tls.key"));
        RegistryConfig c = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                .withDataDir(tmp.resolve("data"));
        c = c.withListeners(c.listeners().withTls(new TlsFiles(live.resolve("tls.crt"), live.resolve("tls.key"), null)));
        try (RegistryServer server = RegistryServer.start(c);
                SSLSocket open = (SSLSocket) first.trusting().getSocketFactory().createSocket("127.0.0.1", server.port())) {
            open.startHandshake();
            X509Certificate before = (X509Certificate) open.getSession().getPeerCertificates()[0];
            assertThat(get(open)).startsWith("HTTP/1.1 200");

            // cert-manager's way: new files written beside the old and moved over them.
            TestTls second = TestTls.create(tmp.resolve("second"));
            Files.copy(second.files.cert(), live.resolve("tls.crt.new"));
            Files.copy(second.files.key(), live.resolve("tls.key.new"));
            Files.move(live.resolve("tls.key.new"), live.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Files.move(live.resolve("tls.crt.new"), live.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            server.reloadTls();

            try (SSLSocket fresh = (SSLSocket) second.trusting().getSocketFactory().createSocket("127.0.0.1", server.port())) {
                fresh.startHandshake();
                X509Certificate after = (X509Certificate) fresh.getSession().getPeerCertificates()[0];
                assertThat(after).isEqualTo(PemKeyStore.certificates(second.files.cert()).get(0));
                assertThat(after).isNotEqualTo(before);
                assertThat(get(fresh)).startsWith("HTTP/1.1 200");
            }
            // A client trusting only the old CA now fails its handshake...
            try (SSLSocket old = (SSLSocket) first.trusting().getSocketFactory().createSocket("127.0.0.1", server.port())) {
                assertThatThrownBy(old::startHandshake).isInstanceOf(SSLHandshakeException.class);
            }
            // ...while the connection opened before the rotation is still served.
            assertThat(get(open)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aBrokenReplacementKeepsTheCurrentCertificate() throws Exception {
        TestTls first = TestTls.create(tmp.resolve("first"));
        Path live = Files.createDirectories(tmp.resolve("live"));
        Files.copy(first.files.cert(), live.resolve("tls.crt"));
        Files.copy(first.files.key(), live.resolve("tls.key"));
        RegistryConfig c = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                .withDataDir(tmp.resolve("data"));
        c = c.withListeners(c.listeners().withTls(new TlsFiles(live.resolve("tls.crt"), live.resolve("tls.key"), null)));
        try (RegistryServer server = RegistryServer.start(c)) {
            // A new certificate but still the old key: they do not match, so nothing changes.
            TestTls second = TestTls.create(tmp.resolve("second"));
            Files.copy(second.files.cert(), live.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
            server.reloadTls();
            try (SSLSocket s = (SSLSocket) first.trusting().getSocketFactory().createSocket("127.0.0.1", server.port())) {
                s.startHandshake();
                assertThat(get(s)).startsWith("HTTP/1.1 200");
            }
        }
    }

    @Test
    void selfSignedWritesAKubernetesTlsSecretsFiles() throws Exception {
        SelfSigned.Files3 f = SelfSigned.write(java.util.List.of("registry.example.com", "10.0.0.7"), tmp.resolve("out"),
                java.time.Duration.ofDays(30));
        assertThat(f.ca().getFileName().toString()).isEqualTo("ca.crt");
        assertThat(f.cert().getFileName().toString()).isEqualTo("tls.crt");
        assertThat(f.key().getFileName().toString()).isEqualTo("tls.key");
        assertThat(Files.getPosixFilePermissions(f.key())).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        var chain = PemKeyStore.certificates(f.cert());
        X509Certificate ca = PemKeyStore.certificates(f.ca()).get(0);
        assertThat(chain).hasSize(2);
        chain.get(0).verify(ca.getPublicKey());
        assertThat(chain.get(0).getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                .containsExactly("registry.example.com", "10.0.0.7");
        assertThat(PemKeyStore.keyStore(f.cert(), f.key()).isKeyEntry(PemKeyStore.ALIAS)).isTrue();
        // openssl agrees the certificate chains to the CA.
        Path openssl = Path.of("/usr/bin/openssl");
        if (Files.isExecutable(openssl)) {
            Process p = new ProcessBuilder(openssl.toString(), "verify", "-CAfile", f.ca().toString(), f.cert().toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
        }
    }

    /** One HTTP/1.1 request on an open connection; the status line and headers of its answer. */
    private static String get(SSLSocket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readResponse(s.getInputStream()).head();
    }

    private record Response(String head, byte[] body) {}

    /** One HTTP/1.1 answer with a Content-Length (or none) read off {@code in}. */
    private static Response readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        String h = head.toString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(h);
        byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
        return new Response(h, body);
    }
}
