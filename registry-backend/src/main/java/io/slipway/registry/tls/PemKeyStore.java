package io.slipway.registry.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM files as Java key stores: a certificate chain and its private key (RSA or EC; PKCS#8, PKCS#1
 * or SEC1, as openssl, cert-manager and {@link SelfSigned} write them) for a listener, and a bundle
 * of CA certificates for the client certificates a listener accepts.
 */
public final class PemKeyStore {
    /** The alias of the listener's key in the stores built here. */
    public static final String ALIAS = "slipway";
    /** The in-memory stores' password: they never touch a disk, the PEM files are the secret. */
    static final char[] PASSWORD = "slipway".toCharArray();

    private PemKeyStore() {
    }

    /** The key and its chain (leaf first, as a Kubernetes TLS secret's {@code tls.crt} holds it). */
    public static KeyStore keyStore(Path certFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = certificates(certFile);
        if (chain.isEmpty()) {
            throw new IOException(certFile + ": no CERTIFICATE block");
        }
        PrivateKey key = privateKey(keyFile);
        if (!matches(chain.get(0), key)) {
            throw new IOException(keyFile + " is not the key of the first certificate in " + certFile);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, key, PASSWORD, chain.toArray(X509Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot hold the key of " + certFile + ": " + e.getMessage(), e);
        }
    }

    /** A trust store of every certificate in {@code caFile}. */
    public static KeyStore trustStore(Path caFile) throws IOException {
        List<X509Certificate> cas = certificates(caFile);
        if (cas.isEmpty()) {
            throw new IOException(caFile + ": no CERTIFICATE block");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException(caFile + ": " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(converter.getCertificate(h));
                }
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(file + ": not a PEM certificate file: " + e.getMessage(), e);
        }
        return out;
    }

    public static PrivateKey privateKey(Path file) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    // A SEC1 key may leave out its public half (optional there), so only the private half is read.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a PEM private key: " + e.getMessage(), e);
        }
        throw new IOException(file + ": no unencrypted PRIVATE KEY block (PKCS#8, RSA or EC)");
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(X509Certificate cert, PrivateKey key) {
        try {
            String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
            java.security.Signature s = java.security.Signature.getInstance(alg);
            s.initSign(key);
            byte[] probe = "slipway".getBytes(StandardCharsets.US_ASCII);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
