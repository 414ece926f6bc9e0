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
        policies.putPolicy("ImagePolicy", "acme-prod", "signed", "doc-1", "user:acme/alice");
        policies.putPolicy("ClusterImagePolicy", "", "baseline", "doc-0", "user:default/admin");
        policies.putPolicy("ImagePolicy", "acme-prod", "signed", "doc-2", "user:acme/bob"); // replaces
        assertThat(policies.policies()).extracting(PolicyStore.StoredPolicy::name, PolicyStore.StoredPolicy::document)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("baseline", "doc-0"),
                        org.assertj.core.groups.Tuple.tuple("signed", "doc-2"));
        assertThat(policies.deletePolicy("ImagePolicy", "acme-prod", "signed")).isTrue();
        assertThat(policies.deletePolicy("ImagePolicy", "acme-prod", "signed")).isFalse();
        policies.putKey("acme-prod", "release", "PEM-1", "user:acme/alice");
        policies.putKey("acme-prod", "release", "PEM-2", "user:acme/alice");
        assertThat(policies.key("acme-prod", "release")).hasValue("PEM-2");
        assertThat(policies.key("acme-dev", "release")).isEmpty();
    }
}
