package io.slipway.registry.testing;

import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.listen.ListenerSettings;
import io.slipway.registry.tls.PemKeyStore;
import io.slipway.registry.tls.SelfSigned;
import io.slipway.registry.tls.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for tests, made by {@link SelfSigned} as {@code slipway tls self-signed} makes them,
 * and clients that trust exactly their CA (verification on, as a real client would have it).
 */
public final class TestTls {
    public final Path dir;
    public final SelfSigned.Files3 files;

    private TestTls(Path dir, SelfSigned.Files3 files) {
        this.dir = dir;
        this.files = files;
    }

    /** A CA and a server certificate for 127.0.0.1 and localhost in {@code dir}. */
    public static TestTls create(Path dir) {
        return create(dir, List.of("127.0.0.1", "localhost"));
    }

    /** A CA and a server certificate for {@code hosts} (names or IP addresses) in {@code dir}. */
    public static TestTls create(Path dir, List<String> hosts) {
        try {
            return new TestTls(dir, SelfSigned.write(hosts, dir, Duration.ofDays(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TlsFiles tlsFiles() {
        return new TlsFiles(files.cert(), files.key(), null);
    }

    /** A directory holding only {@code ca.crt}: what skopeo's and docker's cert dirs want. */
    public Path caDir() throws IOException {
        Path d = Files.createDirectories(dir.resolve("trust"));
        Files.copy(files.ca(), d.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return d;
    }

    /** A TLS context trusting this CA only. */
    public SSLContext trusting() {
        return context(null);
    }

    /** A TLS context trusting this CA and presenting {@code client}'s certificate (mutual TLS). */
    public SSLContext trusting(TestTls client) {
        return context(client);
    }

    private SSLContext context(TestTls client) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(PemKeyStore.trustStore(files.ca()));
            KeyManagerFactory kmf = null;
            if (client != null) {
                KeyStore ks = PemKeyStore.keyStore(client.files.cert(), client.files.key());
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, "slipway".toCharArray());
            }
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public HttpClient client(HttpClient.Version version) {
        return HttpClient.newBuilder().sslContext(trusting()).version(version).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * {@code config} with the admission webhook on its own HTTPS listener (127.0.0.1, a free port)
     * under this certificate, requiring a client certificate from {@code clientCA} when not null.
     */
    public RegistryConfig withAdmission(RegistryConfig config, Path clientCA) {
        return config.withListeners(config.listeners().withAdmission(new ListenerSettings.Admission("127.0.0.1", 0,
                new TlsFiles(files.cert(), files.key(), clientCA))));
    }
}
