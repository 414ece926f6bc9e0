package io.slipway.registry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.primitives.Bytes;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.auth.TokenKey;
import io.slipway.registry.config.RegistryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database of schema V11 kept the token signing key in {@code signing_keys}: V12 renames that table and the
 * first start moves the key into its 0600 file (tokens signed before stay valid) and erases it from the
 * database, bytes included; when the file already exists, it wins and the old key is erased all the same.
 */
class LegacySigningKeyTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStartMovesTheDatabasesKeyIntoItsFileAndErasesIt() throws Exception {
        Path data = dir.resolve("data");
        KeyPair legacy = olderSlipway(data);
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withListen("127.0.0.1:0")
                .withDataDir(data))) {
            assertThat(server.tokens().key().privateKey().getEncoded()).isEqualTo(legacy.getPrivate().getEncoded());
        }
        Path file = data.resolve(TokenKey.DEFAULT_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("metadata.db"));
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM legacy_signing_keys")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            try (ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_migrations")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(Migrations.ALL.size());
            }
        }
        // secure_delete zeroed the row's bytes: the private key is nowhere in the file.
        assertThat(Bytes.indexOf(Files.readAllBytes(data.resolve("metadata.db")), legacy.getPrivate().getEncoded())).isEqualTo(-1);
    }

    @Test
    void anExistingKeyFileWinsAndTheDatabasesKeyIsErasedAllTheSame() throws Exception {
        Path data = dir.resolve("data");
        KeyPair legacy = olderSlipway(data);
        Path file = dir.resolve("token.key");
        TokenKey configured = TokenKey.create(file);
        RegistryConfig c = RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(data);
        try (RegistryServer server = RegistryServer.start(c.withAuthSettings(c.authSettings().withTokenKeyFile(file)))) {
            assertThat(server.tokens().key().kid()).isEqualTo(configured.kid());
        }
        assertThat(data.resolve(TokenKey.DEFAULT_NAME)).doesNotExist();
        assertThat(Bytes.indexOf(Files.readAllBytes(data.resolve("metadata.db")), legacy.getPrivate().getEncoded())).isEqualTo(-1);
    }

    /** A metadata database as Slipway left it at schema V11, holding its token signing key. */
    private static KeyPair olderSlipway(Path data) throws Exception {
        Files.createDirectories(data);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("metadata.db"))) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                        + "applied_at INTEGER NOT NULL)");
                for (int v = 1; v <= 11; v++) {
                    for (String sql : Migrations.statements(Migrations.read(Migrations.ALL.get(v - 1)))) {
                        st.execute(sql);
                    }
                    st.execute("INSERT INTO schema_migrations VALUES (" + v + ", '" + Migrations.ALL.get(v - 1) + "', 0)");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO signing_keys(kid, private_key, public_key, created_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, HexFormat.of().formatHex(pair.getPublic().getEncoded(), 0, 8));
                ps.setBytes(2, pair.getPrivate().getEncoded());
                ps.setBytes(3, pair.getPublic().getEncoded());
                ps.setLong(4, 1);
                ps.executeUpdate();
            }
        }
        return pair;
    }
}
