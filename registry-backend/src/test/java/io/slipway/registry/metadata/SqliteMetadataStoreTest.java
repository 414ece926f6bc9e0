package io.slipway.registry.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteMetadataStoreTest extends MetadataStoreContract {
    @TempDir
    Path dir;

    @Override
    protected MetadataStore openStore() {
        return new SqlMetadataStore(new SqliteDatabase(dir.resolve("metadata.db")), true);
    }

    @Override
    protected java.sql.Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
    }

    @Override
    protected Migrations.Dialect dialect() {
        return Migrations.Dialect.SQLITE;
    }

    @Test
    void migrationsAreRecordedAndNotReapplied() throws Exception {
        store.linkBlob("ns/keep", d("kept"), 1);
        store.close();
        store = openStore(); // a second start finds the schema current and keeps the data
        assertThat(store.linkedBlobSize("ns/keep", d("kept"))).hasValue(1);
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
                var rs = c.createStatement().executeQuery("SELECT version, name FROM schema_migrations ORDER BY version")) {
            for (int v = 1; v <= Migrations.ALL.size(); v++) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(v);
                assertThat(rs.getString(2)).isEqualTo(Migrations.ALL.get(v - 1));
            }
            assertThat(Migrations.ALL).startsWith("V1__registry.sql", "V2__iam.sql", "V3__signatures.sql",
                    "V4__scans.sql", "V5__enforcement.sql", "V6__scan_jobs.sql");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void aDatabaseFromANewerSlipwayIsRefused() throws Exception {
        store.close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_migrations(version, name, applied_at) VALUES (99, 'V99__future.sql', 0)");
        }
        assertThatThrownBy(this::openStore).isInstanceOf(MetadataException.class).hasMessageContaining("newer");
        store = new SqlMetadataStore(new SqliteDatabase(dir.resolve("other.db")), true);
    }

    /**
     * A write that reads before it writes waits for a write lock held elsewhere, as a write that
     * writes first does. In a deferred transaction the lock is taken at the first write, and SQLite
     * answers a busy lock there with SQLITE_BUSY at once, without its busy timeout: GC stress met it
     * when a reader held the WAL write lock for an instant. Here another connection holds the lock.
     */
    @Test
    void aWriteThatReadsFirstWaitsForTheWriteLock() throws Exception {
        SqliteDatabase db = new SqliteDatabase(dir.resolve("locks.db"));
        try (var other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("locks.db"));
                Statement st = other.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO schema_migrations(version, name, applied_at) VALUES (1000, 'held', 0)");
            var writer = java.util.concurrent.CompletableFuture.supplyAsync(() -> db.write(c -> {
                SqlDatabase.list(c, "SELECT COUNT(*) FROM schema_migrations", rs -> rs.getInt(1));
                return SqlDatabase.update(c, "INSERT INTO schema_migrations(version, name, applied_at) "
                        + "VALUES (1001, 'after', 0)");
            }));
            Thread.sleep(300); // the writer is waiting on the lock now
            st.execute("COMMIT");
            assertThat(writer.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            db.close();
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("locks.db"));
                var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM schema_migrations WHERE version >= 1000")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }
}
