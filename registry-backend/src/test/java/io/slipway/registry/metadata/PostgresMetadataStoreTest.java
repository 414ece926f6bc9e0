package io.slipway.registry.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.registry.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The metadata store contract on a real PostgreSQL server, plus what only a shared database has:
 * migrations recorded once however many nodes start together, and several stores (as several
 * nodes would) racing on one tag.
 */
class PostgresMetadataStoreTest extends MetadataStoreContract {
    private PostgresSettings settings;

    @Override
    protected MetadataStore openStore() throws Exception {
        settings = PostgresServer.shared().newDatabase(8);
        return new SqlMetadataStore(new PostgresDatabase(settings), true);
    }

    @Override
    protected Connection connect() throws Exception {
        return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
    }

    @Override
    protected Migrations.Dialect dialect() {
        return Migrations.Dialect.POSTGRES;
    }

    @Test
    void nodesStartingTogetherMigrateOnceAndKeepTheData() throws Exception {
        store.linkBlob("ns/keep", d("kept"), 1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<PostgresDatabase> nodes = new ArrayList<>();
        try {
            List<Future<PostgresDatabase>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(pool.submit((Callable<PostgresDatabase>) () -> new PostgresDatabase(settings)));
            }
            for (Future<PostgresDatabase> f : starts) {
                nodes.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            nodes.forEach(PostgresDatabase::close);
        }
        assertThat(store.linkedBlobSize("ns/keep", d("kept"))).hasValue(1);
        try (Connection c = connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT version, name FROM schema_migrations ORDER BY version")) {
            List<String> applied = new ArrayList<>();
            while (rs.next()) {
                applied.add(rs.getInt(1) + " " + rs.getString(2));
            }
            List<String> expected = new ArrayList<>();
            for (int v = 1; v <= Migrations.ALL.size(); v++) {
                expected.add(v + " " + Migrations.ALL.get(v - 1));
            }
            assertThat(applied).isEqualTo(expected);
        }
    }

    @Test
    void aDatabaseFromANewerSlipwayIsRefused() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_migrations(version, name, applied_at) VALUES (99, 'V99__future.sql', 0)");
        }
        assertThatThrownBy(() -> new PostgresDatabase(settings)).isInstanceOf(MetadataException.class)
                .hasMessageContaining("newer");
    }

    @Test
    void namesPageInByteOrderWhateverTheServerLocale() throws Exception {
        try (Connection c = connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT collation_name FROM "
                        + "information_schema.columns WHERE table_name = 'tags' AND column_name = 'name'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("C");
        }
    }

    @Test
    void storesOfSeveralNodesRacingOnOneTagAgreeOnOneManifest() throws Exception {
        List<MetadataStore> nodes = List.of(store, new SqlMetadataStore(new PostgresDatabase(settings), true),
                new SqlMetadataStore(new PostgresDatabase(settings), true));
        // The first 30 manifests are tagged before the race; in it, 90 more move the same tags while
        // the first 30 are deleted. Deleting a manifest takes its tags with it, so a
        // deletion may only ever remove a tag that still points at the deleted manifest: each tag
        // ends on a manifest of the race, whatever the interleaving (deleting a manifest of the race
        // itself could legitimately take the last tag with it when the scheduler runs it last).
        for (int n = 0; n < 30; n++) {
            nodes.get(n % nodes.size()).putManifest(manifest("ns/shared", "m" + n, null, List.of()),
                    List.of("latest", "v" + (n % 3)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 30; i < 120; i++) {
                int n = i;
                MetadataStore node = nodes.get(n % nodes.size());
                futures.add(pool.submit(() -> {
                    node.putManifest(manifest("ns/shared", "m" + n, null, List.of()), List.of("latest", "v" + (n % 3)));
                    if (n < 60) {
                        node.deleteManifest("ns/shared", d("m" + (n - 30)));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (MetadataStore node : nodes) {
            assertThat(node.tags("ns/shared", null, 10)).containsExactly("latest", "v0", "v1", "v2");
            for (String tag : List.of("latest", "v0", "v1", "v2")) {
                // Every tag points at a manifest that exists, and every node says the same.
                ManifestRecord m = node.manifestByTag("ns/shared", tag).orElseThrow();
                assertThat(nodes.get(0).manifestByTag("ns/shared", tag).orElseThrow().digest()).isEqualTo(m.digest());
            }
        }
        try (Connection c = connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM tags t LEFT JOIN manifests m "
                        + "ON m.repository_id = t.repository_id AND m.digest = t.digest WHERE m.digest IS NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).as("tags pointing at deleted manifests").isZero();
        }
        nodes.get(1).close();
        nodes.get(2).close();
    }
}
