package io.slipway.registry.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority and a server certificate it signed, for trials: what {@code slipway tls
 * self-signed} writes as {@code ca.crt}, {@code tls.crt} (server certificate, then the CA) and
 * {@code tls.key} (PKCS#8, mode 0600) — the names of a Kubernetes TLS secret. EC P-256 keys.
 */
public final class SelfSigned {
    public static final String CA = "ca.crt";
    public static final String CERT = "tls.crt";
    public static final String KEY = "tls.key";

    /** What was written. */
    public record Files3(Path ca, Path cert, Path key) {
    }

    private SelfSigned() {
    }

    /**
     * Writes a new CA and a server certificate for {@code hosts} (DNS names or IP addresses, the
     * first also the subject's CN) into {@code dir}, valid for {@code validity}.
     */
    public static Files3 write(List<String> hosts, Path dir, Duration validity) throws IOException {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("name at least one --host");
        }
        try {
            KeyPair caKeys = ecKeys();
            KeyPair serverKeys = ecKeys();
            Instant now = Instant.now();
            Date from = Date.from(now.minus(Duration.ofMinutes(5)));
            Date until = Date.from(now.plus(validity));
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X500Name caName = new X500Name("CN=Slipway trial CA " + now.getEpochSecond());
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), from, until, caName,
                    caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCert = sign(ca, caKeys);
            List<GeneralName> sans = new ArrayList<>();
            for (String h : hosts) {
                sans.add(isAddress(h) ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
            }
            X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caCert, serial(), from, until,
                    new X500Name("CN=" + hosts.get(0).replace(",", "\\,")), serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(serverKeys.getPublic()));
            X509Certificate serverCert = sign(server, caKeys);
            Files.createDirectories(dir);
            Path caFile = dir.resolve(CA);
            Path certFile = dir.resolve(CERT);
            Path keyFile = dir.resolve(KEY);
            Files.writeString(caFile, pem(caCert), StandardCharsets.US_ASCII);
            Files.writeString(certFile, pem(serverCert) + pem(caCert), StandardCharsets.US_ASCII);
            writePrivate(keyFile, pem(serverKeys.getPrivate()));
            return new Files3(caFile, certFile, keyFile);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot make the certificates: " + e.getMessage(), e);
        }
    }

    private static void writePrivate(Path file, String text) throws IOException {
        // Written whole to a 0600 file beside the target and moved in place, so a watcher never reads half a key.
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean isAddress(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(128, new SecureRandom()).setBit(127);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o instanceof java.security.PrivateKey k
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
        }
        return s.toString();
    }
}
