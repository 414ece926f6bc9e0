package io.slipway.registry.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's TLS: the SSL context Jetty serves from the PEM files, TLS 1.2 and 1.3 only, and a
 * watcher that reloads it when the files change (cert-manager rotates a secret by swapping a
 * symbolic link, which file-system events do not report reliably, so the files' bytes are
 * compared every few seconds). A reload changes what new handshakes see; open connections keep
 * their session. Files caught half-written fail to load and are tried again on the next look.
 */
public final class ReloadingTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final TlsFiles files;
    private final SslContextFactory.Server context;
    private final ScheduledExecutorService watcher;
    private byte[] seen;

    public ReloadingTls(TlsFiles files, long checkMillis) throws IOException {
        this.files = files;
        this.context = new SslContextFactory.Server();
        context.setIncludeProtocols(PROTOCOLS);
        // HTTP/2 forbids the TLS 1.2 suites it lists; offering them first would break h2 negotiation.
        context.setCipherComparator(HTTP2Cipher.COMPARATOR);
        context.setUseCipherSuitesOrder(true);
        context.setKeyStore(PemKeyStore.keyStore(files.cert(), files.key()));
        context.setKeyStorePassword(new String(PemKeyStore.PASSWORD));
        context.setKeyManagerPassword(new String(PemKeyStore.PASSWORD));
        // Requests name the registry by the host clients know it by, which need not be in the certificate's names.
        context.setSniRequired(false);
        if (files.clientCA() != null) {
            context.setTrustStore(PemKeyStore.trustStore(files.clientCA()));
            context.setNeedClientAuth(true);
        }
        this.seen = fingerprint();
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tls-reload " + files.cert().getFileName());
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::check, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
    }

    public SslContextFactory.Server context() {
        return context;
    }

    /** Reloads when the files' bytes differ from those last loaded; true when it did. */
    public synchronized boolean check() {
        try {
            byte[] now = fingerprint();
            if (Arrays.equals(now, seen)) {
                return false;
            }
            KeyStore keys = PemKeyStore.keyStore(files.cert(), files.key());
            KeyStore trust = files.clientCA() == null ? null : PemKeyStore.trustStore(files.clientCA());
            context.reload(f -> {
                f.setKeyStore(keys);
                if (trust != null) {
                    f.setTrustStore(trust);
                }
            });
            seen = now;
            LOG.info("reloaded the TLS certificate from {}", files.cert());
            return true;
        } catch (Exception e) {
            LOG.warn("TLS files changed but do not load yet (kept the current certificate): {}", e.getMessage());
            return false;
        }
    }

    private byte[] fingerprint() throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<Path> paths = new ArrayList<>(List.of(files.cert(), files.key()));
            if (files.clientCA() != null) {
                paths.add(files.clientCA());
            }
            for (Path p : paths) {
                md.update(Files.readAllBytes(p));
                md.update((byte) 0);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
