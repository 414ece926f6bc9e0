package io.slipway.registry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.registry.enforcement.PolicyStore;
import io.slipway.registry.scan.ScanResult;
import io.slipway.registry.scan.ScanStore;
import io.slipway.registry.tenancy.SqlTenancyStore;
import io.slipway.registry.tenancy.TenancyStore;
import io.slipway.registry.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stores written once over {@link SqlDatabase} (scan results and exemptions, image policies and
 * signer keys) behave the same on SQLite and on the PostgreSQL that several nodes share.
 */
class SqlDatabaseStoresTest {
    @TempDir
    Path dir;
    private SqlDatabase db;

    private TenancyStore open(String database) throws Exception {
        if (database.equals("postgres")) {
            PostgresDatabase pg = new PostgresDatabase(PostgresServer.shared().newDatabase(4));
            db = pg;
            return new SqlTenancyStore(pg);
        }
        SqliteDatabase sqlite = new SqliteDatabase(dir.resolve("metadata.db"));
        db = sqlite;
        return new SqlTenancyStore(sqlite);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void scanResultsAndExemptions(String database) throws Exception {
        long account = open(database).createAccount("acme").id();
        ScanStore scans = new ScanStore(db);
        Digest image = Digest.sha256("image");
        ScanResult.Issue cve = new ScanResult.Issue("cve", "CVE-2021-44228", List.of("CVE-2021-44228",
                "GHSA-jfh8-c2jp-5v3q"), "log4j-core", "2.14.1", "2.15.0", "critical", "Log4Shell", null);
        scans.put(ScanResult.of(image, ScanResult.State.QUEUED, null));
        scans.put(new ScanResult(image, ScanResult.State.DONE, "debian 12", null, List.of(cve), List.of("upgrade"),
                null, "db-1", Instant.parse("2024-05-06T07:08:09Z")));
        ScanResult stored = scans.get(image).orElseThrow();
        assertThat(stored.unassessed()).isNull();
        assertThat(stored.databaseVersion()).isEqualTo("db-1");
        assertThat(stored.state()).isEqualTo(ScanResult.State.DONE);
        assertThat(stored.issues()).containsExactly(cve);
        assertThat(stored.os()).isEqualTo("debian 12");
        assertThat(stored.updated()).isEqualTo(Instant.parse("2024-05-06T07:08:09Z"));
        Digest ubuntu = Digest.sha256("unassessed");
        scans.put(new ScanResult(ubuntu, ScanResult.State.DONE, "Plan 9", "the operating system Plan 9 is not supported",
                List.of(), List.of(), null, "db-1", Instant.parse("2024-05-06T07:08:09Z")));
        assertThat(scans.get(ubuntu).orElseThrow().unassessed()).isEqualTo("the operating system Plan 9 is not supported");
        assertThat(scans.staleScans("db-1")).isEmpty();
        assertThat(scans.staleScans("db-2")).containsExactlyInAnyOrder(image, ubuntu);

        ScanStore.StoredExemption e = scans.addExemption(account, "acme-dev/app", "cve", "CVE-2021-44228", "patched",
                "user:acme/alice");
        scans.addExemption(account, "*", "config", "root-user", null, "user:acme/alice");
        assertThat(scans.exemptions(account)).extracting(ScanStore.StoredExemption::issueId)
                .containsExactly("CVE-2021-44228", "root-user");
        assertThat(scans.deleteExemption(account + 1, e.id())).isFalse();
        assertThat(scans.deleteExemption(account, e.id())).isTrue();
        assertThat(scans.exemptions(account)).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void imagePoliciesAndSignerKeys(String database) throws Exception {
        open(database);
        PolicyStore policies = new PolicyStore(db);
        long acme = 7;
        long globex = 8;
        policies.putPolicy(acme, "ImagePolicy", "acme-prod", "signed", "doc-1", "user:acme/alice");
        policies.putPolicy(PolicyStore.CLUSTER, "ClusterImagePolicy", "", "baseline", "doc-0", "user:default/admin");
        policies.putPolicy(acme, "ImagePolicy", "acme-prod", "signed", "doc-2", "user:acme/bob"); // replaces
        // Another account's policy of the same namespace and name is its own row, not a replacement.
        policies.putPolicy(globex, "ImagePolicy", "acme-prod", "signed", "doc-g", "user:globex/eve");
        assertThat(policies.policies(acme)).extracting(PolicyStore.StoredPolicy::name, PolicyStore.StoredPolicy::document)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("signed", "doc-2"));
        assertThat(policies.policies(PolicyStore.CLUSTER)).extracting(PolicyStore.StoredPolicy::document)
                .containsExactly("doc-0");
        assertThat(policies.allPolicies()).hasSize(3);
        assertThat(policies.deletePolicy(globex, "ImagePolicy", "acme-prod", "signed")).isTrue();
        assertThat(policies.policies(acme)).hasSize(1);
        assertThat(policies.deletePolicy(acme, "ImagePolicy", "acme-prod", "signed")).isTrue();
        assertThat(policies.deletePolicy(acme, "ImagePolicy", "acme-prod", "signed")).isFalse();
        policies.putKey(acme, "acme-prod", "release", "PEM-1", "user:acme/alice");
        policies.putKey(acme, "acme-prod", "release", "PEM-2", "user:acme/alice");
        policies.putKey(globex, "acme-prod", "release", "PEM-G", "user:globex/eve");
        assertThat(policies.key(acme, "acme-prod", "release")).hasValue("PEM-2");
        assertThat(policies.key(globex, "acme-prod", "release")).hasValue("PEM-G");
        assertThat(policies.key(acme, "acme-dev", "release")).isEmpty();
        assertThat(policies.keys(acme)).extracting(PolicyStore.StoredKey::publicKey).containsExactly("PEM-2");
        assertThat(policies.deleteKey(globex, "acme-prod", "release")).isTrue();
        assertThat(policies.key(acme, "acme-prod", "release")).hasValue("PEM-2");
    }

    /**
     * A database written by the version before tenant isolation keeps its policies and keys: an
     * ImagePolicy and a namespace key go to the account of whoever wrote them, a ClusterImagePolicy
     * and a key without a namespace stay registry-wide, principals' old tokens stay good, and new
     * API key ids are never reused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void policiesAndKeysOfAnEarlierVersionFindTheirAccounts(String database) throws Exception {
        java.sql.Connection c;
        Migrations.Dialect dialect;
        PostgresSettings pg = null;
        if (database.equals("postgres")) {
            pg = PostgresServer.shared().newDatabase(4);
            c = java.sql.DriverManager.getConnection(pg.url(), pg.user(), pg.password());
            dialect = Migrations.Dialect.POSTGRES;
        } else {
            c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
            dialect = Migrations.Dialect.SQLITE;
        }
        int before = Migrations.ALL.indexOf("V7__tenant_isolation.sql");
        try (c; java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at "
                    + dialect.millis + " NOT NULL)");
            for (int v = 1; v <= before; v++) {
                for (String sql : Migrations.statements(Migrations.read(dialect.folder + Migrations.ALL.get(v - 1)))) {
                    st.execute(sql);
                }
                st.execute("INSERT INTO schema_migrations VALUES (" + v + ", '" + Migrations.ALL.get(v - 1) + "', 0)");
            }
            for (String sql : List.of(
                    "INSERT INTO accounts(id, name, created_at) VALUES (1, 'default', 0), (2, 'acme', 0), (3, 'globex', 0)",
                    "INSERT INTO principals(id, account_id, kind, name, admin, created_at) VALUES (1, 1, 'user', 'admin', "
                            + (dialect == Migrations.Dialect.POSTGRES ? "true" : "1") + ", 5)",
                    "INSERT INTO api_keys(principal_id, lookup, hash, created_at) VALUES (1, 'l1', 'h', 0)",
                    "INSERT INTO image_policies VALUES ('IMAGE_POLICY', 'prod', 'signed', 'doc-a', 'user:acme/alice', 0)",
                    "INSERT INTO image_policies VALUES ('IMAGE_POLICY', 'prod', 'other', 'doc-g', 'service:globex/ci', 0)",
                    "INSERT INTO image_policies VALUES ('CLUSTER_IMAGE_POLICY', '', 'base', 'doc-c', 'user:default/admin', 0)",
                    "INSERT INTO signer_keys VALUES ('prod', 'release', 'PEM-A', 'user:acme/alice', 0)",
                    "INSERT INTO signer_keys VALUES ('', 'root', 'PEM-C', 'user:default/admin', 0)")) {
                st.execute(sql);
            }
        }
        TenancyStore tenancy;
        if (pg != null) {
            PostgresDatabase opened = new PostgresDatabase(pg);
            db = opened;
            tenancy = new SqlTenancyStore(opened);
        } else {
            SqliteDatabase opened = new SqliteDatabase(dir.resolve("metadata.db"));
            db = opened;
            tenancy = new SqlTenancyStore(opened);
        }
        PolicyStore policies = new PolicyStore(db);
        assertThat(policies.policies(2)).extracting(PolicyStore.StoredPolicy::document).containsExactly("doc-a");
        assertThat(policies.policies(3)).extracting(PolicyStore.StoredPolicy::document).containsExactly("doc-g");
        assertThat(policies.policies(PolicyStore.CLUSTER)).extracting(PolicyStore.StoredPolicy::document)
                .containsExactly("doc-c");
        assertThat(policies.key(2, "prod", "release")).hasValue("PEM-A");
        assertThat(policies.key(PolicyStore.CLUSTER, "", "root")).hasValue("PEM-C");
        assertThat(tenancy.tokensAfter(1)).hasValue(5);
        long first = tenancy.createApiKey(1, "l2", "h", null).id();
        assertThat(tenancy.deleteApiKey(first)).isTrue();
        assertThat(tenancy.createApiKey(1, "l3", "h", null).id()).isGreaterThan(first);
        assertThat(tenancy.tokensAfter(1).getAsLong()).isGreaterThan(5);
    }

    /**
     * V15 makes a trash entry's references rows of their own (garbage collection asks them by
     * digest): an entry trashed before it finds them there, and putting, replacing and removing an
     * entry writes and removes them with it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void trashReferencesAreRowsOfTheirOwn(String database) throws Exception {
        java.sql.Connection c;
        Migrations.Dialect dialect;
        PostgresSettings pg = null;
        if (database.equals("postgres")) {
            pg = PostgresServer.shared().newDatabase(4);
            c = java.sql.DriverManager.getConnection(pg.url(), pg.user(), pg.password());
            dialect = Migrations.Dialect.POSTGRES;
        } else {
            c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
            dialect = Migrations.Dialect.SQLITE;
        }
        String a = Digest.sha256("a").toString();
        String b = Digest.sha256("b").toString();
        String m = Digest.sha256("m").toString();
        int before = Migrations.ALL.indexOf("V15__gc_mark.sql");
        try (c; java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at "
                    + dialect.millis + " NOT NULL)");
            for (int v = 1; v <= before; v++) {
                for (String sql : Migrations.statements(Migrations.read(dialect.folder + Migrations.ALL.get(v - 1)))) {
                    st.execute(sql);
                }
                st.execute("INSERT INTO schema_migrations VALUES (" + v + ", '" + Migrations.ALL.get(v - 1) + "', 0)");
            }
            st.execute("INSERT INTO trash(account_id, repository, digest, media_type, tags, refs, size, deleted_by, "
                    + "deleted_at) VALUES (1, 'ns/app', '" + m + "', 'x', '[\"v1\"]', '[\"" + a + "\",\"" + b
                    + "\",\"" + a + "\"]', 10, 'alice', 0)");
        }
        db = pg != null ? new PostgresDatabase(pg) : new SqliteDatabase(dir.resolve("metadata.db"));
        assertThat(references()).containsExactlyInAnyOrder("ns/app " + m + " " + a, "ns/app " + m + " " + b);

        var store = new io.slipway.registry.lifecycle.LifecycleStore(db);
        Digest d = Digest.sha256("d");
        store.putTrash(new io.slipway.registry.lifecycle.LifecycleStore.TrashEntry(1, "ns/app", Digest.parse(m), "x",
                List.of("v1"), List.of(b, d.toString()), 10, "alice", 1));
        assertThat(references()).containsExactlyInAnyOrder("ns/app " + m + " " + b, "ns/app " + m + " " + d);
        assertThat(store.deleteTrash("ns/app", Digest.parse(m))).isTrue();
        assertThat(references()).isEmpty();
        store.putTrash(new io.slipway.registry.lifecycle.LifecycleStore.TrashEntry(1, "ns/app", Digest.parse(m), "x",
                List.of("v1"), List.of(a), 10, "alice", 1));
        assertThat(references()).containsExactly("ns/app " + m + " " + a);
        assertThat(store.expireTrash(2)).isEqualTo(1);
        assertThat(references()).isEmpty();
    }

    private List<String> references() {
        return db.list("SELECT repository, trash_digest, digest FROM trash_references ORDER BY digest",
                rs -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
    }
}
