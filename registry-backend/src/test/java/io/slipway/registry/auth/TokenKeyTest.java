package io.slipway.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.primitives.Bytes;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.testing.PostgresServer;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token signing key lives in a 0600 PEM file, not in the metadata database: made on the embedded
 * registry's first start, kept across restarts, refused when others may read it or when it is not P-256, and
 * never made up by a node sharing PostgreSQL.
 */
class TokenKeyTest {
    @TempDir
    Path dir;

    private static RegistryConfig embedded(Path data) {
        return RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(data);
    }

    private static RegistryConfig withKeyFile(RegistryConfig c, Path file) {
        return c.withAuthSettings(c.authSettings().withTokenKeyFile(file));
    }

    @Test
    void theFirstStartWritesAPrivateKeyFileThatTokensOutliveARestartWith() throws Exception {
        Path data = dir.resolve("data");
        String token;
        byte[] pkcs8;
        try (RegistryServer server = RegistryServer.start(embedded(data))) {
            token = server.tokens().issue("user:default/admin", 1, "default",
                    List.of(Scope.repository("default/app", EnumSet.of(Action.PULL)))).token();
            pkcs8 = server.tokens().key().privateKey().getEncoded();
            assertThat(server.tokens().key().toString()).doesNotContain(Base64.getEncoder().encodeToString(pkcs8))
                    .startsWith("TokenKey[kid=");
        }
        Path file = data.resolve(TokenKey.DEFAULT_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n")
                .contains(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8));
        // Not in the database: neither its bytes nor their Base64.
        byte[] db = Files.readAllBytes(data.resolve("metadata.db"));
        assertThat(Bytes.indexOf(db, pkcs8)).isEqualTo(-1);
        assertThat(Bytes.indexOf(db, java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length))).isEqualTo(-1);
        try (RegistryServer again = RegistryServer.start(embedded(data))) {
            assertThat(again.tokens().verify(token).subject()).isEqualTo("user:default/admin");
        }
    }

    @Test
    void aKeyFileOthersMayReadIsRefusedWithTheFix() throws Exception {
        Path file = dir.resolve("token.key");
        TokenKey.create(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> RegistryServer.start(withKeyFile(embedded(dir.resolve("data")), file)))
                .hasMessageContaining(file.toString()).hasMessageContaining("chmod 600");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----"); // left as it was
    }

    @Test
    void anSec1EcKeyAsHelmWritesItIsTakenAndAnRsaKeyIsRefused() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        for (boolean withPublicKey : new boolean[] {true, false}) { // the public key is optional in SEC1
            Path sec1 = sec1(dir.resolve("ec-" + withPublicKey + ".key"), ec.generateKeyPair(), withPublicKey);
            assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
            try (RegistryServer server = RegistryServer.start(withKeyFile(embedded(dir.resolve("a-" + withPublicKey)),
                    sec1))) {
                String token = server.tokens().issue("user:default/admin", 1, "default", List.of()).token();
                assertThat(server.tokens().verify(token).account()).isEqualTo("default");
            }
        }
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path rsaKey = pem(dir.resolve("rsa.key"), rsa.generateKeyPair());
        assertThatThrownBy(() -> RegistryServer.start(withKeyFile(embedded(dir.resolve("b")), rsaKey)))
                .hasMessageContaining("must be an EC P-256 key");
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        Path other = dir.resolve("p384.key");
        try (Writer w = Files.newBufferedWriter(other); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY",
                    p384.generateKeyPair().getPrivate().getEncoded()));
        }
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> RegistryServer.start(withKeyFile(embedded(dir.resolve("c")), other)))
                .hasMessageContaining("must be an EC P-256 key");
    }

    @Test
    void aNodeSharingPostgresqlNeedsTheConfiguredFileAndNeverMakesOneUp() throws Exception {
        RegistryConfig pg = embedded(dir.resolve("node")).withStores(new StoreSettings(StoreSettings.FILESYSTEM, null,
                StoreSettings.POSTGRES, PostgresServer.shared().newDatabase(2)));
        assertThatThrownBy(() -> RegistryServer.start(pg)).hasMessageContaining("auth.tokenKeyFile is required");
        Path file = dir.resolve("secret/token.key");
        assertThatThrownBy(() -> RegistryServer.start(withKeyFile(pg, file)))
                .hasMessageContaining(file + " does not exist");
        assertThat(file).doesNotExist();
        TokenKey.create(file);
        String kid = TokenKey.read(file).kid();
        try (RegistryServer a = RegistryServer.start(withKeyFile(pg, file));
                RegistryServer b = RegistryServer.start(withKeyFile(pg.withDataDir(dir.resolve("node-b")), file))) {
            assertThat(a.tokens().key().kid()).isEqualTo(kid);
            String token = a.tokens().issue("user:default/admin", 1, "default", List.of()).token();
            assertThat(b.tokens().verify(token).subject()).isEqualTo("user:default/admin");
        }
        // An open registry issues no tokens, so it needs no shared key.
        try (RegistryServer open = RegistryServer.start(pg.withAuth("none").withDataDir(dir.resolve("open")))) {
            assertThat(dir.resolve("open").resolve(TokenKey.DEFAULT_NAME)).doesNotExist();
        }
    }

    /** SEC1 {@code EC PRIVATE KEY} naming its curve, as Go's x509.MarshalECPrivateKey (Helm) and openssl write it. */
    private static Path sec1(Path file, java.security.KeyPair pair, boolean withPublicKey) throws Exception {
        java.security.interfaces.ECPrivateKey key = (java.security.interfaces.ECPrivateKey) pair.getPrivate();
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo pub = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo
                .getInstance(pair.getPublic().getEncoded());
        byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(),
                withPublicKey ? pub.getPublicKeyData() : null,
                org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1).getEncoded();
        try (Writer w = Files.newBufferedWriter(Files.createFile(file,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", der));
        }
        return file;
    }

    private static Path pem(Path file, java.security.KeyPair pair) throws Exception {
        try (Writer w = Files.newBufferedWriter(Files.createFile(file,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(pair); // a KeyPair is written in its algorithm's own form (SEC1, PKCS#1)
        }
        return file;
    }
}
