package io.slipway.registry.auth;

import io.slipway.registry.config.DataFolder;
import io.slipway.registry.tenancy.TenancyStore;
import io.slipway.registry.tls.PemKeyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key registry tokens are signed with: an EC P-256 private key in a PEM file of its own (PKCS#8 {@code
 * PRIVATE KEY}, as {@code openssl genpkey} writes it, or SEC1 {@code EC PRIVATE KEY}, as Helm's {@code
 * genPrivateKey "ecdsa"} does), never in the metadata database, so that a copy of the database (a backup, a
 * dump handed to support) cannot mint tokens.
 *
 * <p>The embedded registry makes the file (0600) on its first start. Nodes sharing a PostgreSQL database must
 * all sign with one key, so there the file is configured ({@code auth.tokenKeyFile}, typically a mounted
 * Kubernetes Secret) and never made up by a node: a node that finds none refuses to start rather than sign
 * tokens the others reject. A key an older Slipway kept in the database is moved into the file on the first
 * start and erased from the database; when the file already exists, the file wins.
 *
 * <p>A file that others may read or that its group may change is refused, as ssh refuses such a key.
 */
public record TokenKey(String kid, PrivateKey privateKey, PublicKey publicKey) {
    private static final Logger LOG = LoggerFactory.getLogger(TokenKey.class);
    /** The file's name in the data folder when none is configured. */
    public static final String DEFAULT_NAME = "token-signing-key.pem";
    private static final ECNamedCurveParameterSpec P256 = ECNamedCurveTable.getParameterSpec("secp256r1");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** Never the secret: a record's toString ends up in logs and exception messages. */
    @Override
    public String toString() {
        return "TokenKey[kid=" + kid + "]";
    }

    /**
     * The key in {@code file}; when the file is missing, the database's old key moved into it, else (only when
     * {@code mayGenerate}) a new key written to it.
     *
     * @param mayGenerate whether this node may make a key of its own (one node, or nodes sharing the file's folder)
     */
    public static TokenKey open(Path file, boolean mayGenerate, TenancyStore store) throws IOException {
        try {
            return store.takeLegacySigningKey(legacy -> {
                try {
                    return open(file, mayGenerate, legacy);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Writes a new key to {@code file} (0600), which must not exist yet: the key several nodes are given. */
    public static TokenKey create(Path file) throws IOException {
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "a token signing key file is never overwritten");
        }
        write(file, generate());
        return read(file);
    }

    /**
     * A key held in memory only, for an open registry ({@code auth: none}), which issues no tokens: nothing to
     * share between nodes and nothing to keep.
     */
    public static TokenKey ephemeral() {
        try {
            return of((ECPrivateKey) generate());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TokenKey open(Path file, boolean mayGenerate, TenancyStore.SigningKey legacy) throws IOException {
        if (Files.exists(file)) {
            TokenKey key = read(file);
            if (legacy != null && !legacy.kid().equals(key.kid())) {
                LOG.warn("the token signing key the database held ({}) is replaced by the one in {} ({}); tokens "
                        + "signed before are no longer accepted", legacy.kid(), file, key.kid());
            }
            return key;
        }
        PrivateKey key;
        if (legacy != null) {
            try {
                key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(legacy.privateKey()));
            } catch (GeneralSecurityException e) {
                throw new IOException("the token signing key in the metadata database is unreadable: "
                        + e.getMessage(), e);
            }
            LOG.info("moving the token signing key {} out of the metadata database into {}", legacy.kid(), file);
        } else if (mayGenerate) {
            key = generate();
        } else {
            throw new IOException("the token signing key file " + file + " does not exist: nodes sharing a "
                    + "PostgreSQL database must sign tokens with one key, so it is not made up here; create an EC "
                    + "P-256 key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out FILE) and "
                    + "mount the same file on every node");
        }
        write(file, key);
        return read(file);
    }

    /** Reads and checks the key file. */
    static TokenKey read(Path file) throws IOException {
        if (POSIX) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)
                    || perms.contains(PosixFilePermission.GROUP_WRITE)) {
                throw new IOException("the token signing key file " + file + " is open to other users ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "): chmod 600 it (a "
                        + "Kubernetes Secret volume: defaultMode 0400)");
            }
        }
        PrivateKey key = PemKeyStore.privateKey(file);
        if (!(key instanceof ECPrivateKey ec) || !ec.getParams().getOrder().equals(P256.getN())) {
            throw new IOException(file + ": the token signing key must be an EC P-256 key (tokens are ES256), not "
                    + key.getAlgorithm());
        }
        return of(ec);
    }

    private static TokenKey of(ECPrivateKey key) throws IOException {
        try {
            // The public key is the curve's generator times the private scalar.
            org.bouncycastle.math.ec.ECPoint q = P256.getG().multiply(key.getS()).normalize();
            BigInteger x = q.getAffineXCoord().toBigInteger();
            BigInteger y = q.getAffineYCoord().toBigInteger();
            PublicKey pub = KeyFactory.getInstance("EC").generatePublic(
                    new ECPublicKeySpec(new java.security.spec.ECPoint(x, y), key.getParams()));
            byte[] der = pub.getEncoded();
            String kid = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der), 0, 8);
            return new TokenKey(kid, key, pub);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot derive the token signing key's public key: " + e.getMessage(), e);
        }
    }

    private static PrivateKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a token signing key", e);
        }
    }

    /** Writes a new 0600 file whole (a reader never sees half of it) and never over an existing one. */
    private static void write(Path file, PrivateKey key) throws IOException {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".token-key", ".tmp", DataFolder.fileAttributes());
        try {
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.createLink(file, tmp); // fails, unlike a rename, when another node wrote the file first
            } catch (FileAlreadyExistsException e) {
                LOG.info("{} was written by another node meanwhile; using it", file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
