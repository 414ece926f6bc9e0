package io.slipway.registry.metadata;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema migrations: {@code V<n>__<what>.sql} resources applied in order, each in its
 * own transaction, and recorded in {@code schema_migrations}, so that a database of any earlier
 * version is brought up to date at start-up and a newer one is refused.
 */
final class Migrations {

    /**
     * Every migration, oldest first. Append only: a released migration never changes. Each database
     * has its own script of every version, with the same tables, in its {@link Dialect}'s folder.
     */
    static final List<String> ALL = List.of("V1__registry.sql", "V2__iam.sql", "V3__signatures.sql", "V4__scans.sql",
            "V5__enforcement.sql", "V6__scan_jobs.sql", "V7__tenant_isolation.sql",
            "V8__lifecycle.sql",
            "V9__webhooks.sql",
            "V10__console_sessions.sql",
            "V11__metadata_changes.sql",
            "V12__token_key_file.sql",
            "V13__gc_ledger.sql",
            "V14__console_sorts.sql",
            "V15__gc_mark.sql",
            "V16__listing_tag.sql");

    /** Where a database's scripts are, and its type for epoch milliseconds. */
    enum Dialect {
        SQLITE("", "INTEGER"),
        POSTGRES("postgres/", "BIGINT");

        final String folder;
        final String millis;

        Dialect(String folder, String millis) {
            this.folder = folder;
            this.millis = millis;
        }
    }

    private Migrations() {
    }

    static void apply(Connection connection) throws SQLException {
        apply(connection, Dialect.SQLITE);
    }

    static void apply(Connection connection, Dialect dialect) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        + "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at " + dialect.millis + " NOT NULL)");
            }
            connection.commit();
            int current = currentVersion(connection);
            if (current > ALL.size()) {
                throw new SQLException("the metadata database has schema version " + current
                        + ", newer than this Slipway (" + ALL.size() + ")");
            }
            for (int version = current + 1; version <= ALL.size(); version++) {
                String name = ALL.get(version - 1);
                try (Statement st = connection.createStatement()) {
                    for (String sql : statements(read(dialect.folder + name))) {
                        st.execute(sql);
                    }
                }
                try (PreparedStatement ps = connection.prepareStatement(
                        "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, version);
                    ps.setString(2, name);
                    ps.setLong(3, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                connection.commit();
            }
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    static int currentVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static String read(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("migration " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + name, e);
        }
    }

    /** Splits a migration into statements; comments are whole lines starting with "--". */
    static List<String> statements(String script) {
        StringBuilder cleaned = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                cleaned.append(line).append('\n');
            }
        }
        return java.util.Arrays.stream(cleaned.toString().split(";"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
