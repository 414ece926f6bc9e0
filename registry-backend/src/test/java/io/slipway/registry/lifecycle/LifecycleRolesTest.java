package io.slipway.registry.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.testing.IamFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may do what with the storage lifecycle inside one account (the tenant matrix covers other
 * accounts): Managers write immutable-tag rules, those who see the namespace read them; only the
 * administrator sets quotas, every principal of the account reads its own.
 */
class LifecycleRolesTest {
    @TempDir
    Path data;

    @Test
    void rulesAreManagersAndQuotasTheAdministrators() throws Exception {
        try (IamFixture iam = new IamFixture(data)) {
            String rule = "{\"scope\":\"acme-dev\",\"glob\":\"v*\"}";
            assertThat(iam.api(iam.keys.get("writer"), "POST", "/api/v1/immutable-tags", rule, 403).toString())
                    .contains("only a Manager of namespace acme-dev");
            assertThat(iam.api(iam.keys.get("ci"), "POST", "/api/v1/immutable-tags", rule, 403).toString())
                    .contains("DENIED");
            iam.api(iam.keys.get("manager"), "POST", "/api/v1/immutable-tags", rule, 201);
            assertThat(iam.api(iam.keys.get("writer"), "GET", "/api/v1/immutable-tags?namespace=acme-dev", null, 200))
                    .hasSize(1);
            iam.api(iam.keys.get("writer"), "DELETE", "/api/v1/immutable-tags?scope=acme-dev&glob=v*", null, 403);

            String quota = "{\"account\":\"acme\",\"storage\":\"500MB\",\"traffic\":\"1GB\"}";
            assertThat(iam.api(iam.keys.get("manager"), "POST", "/api/v1/quota", quota, 403).toString())
                    .contains("only the registry administrator sets quotas");
            assertThat(iam.api(iam.adminKey, "POST", "/api/v1/quota", quota, 201).path("storage").path("limit").asLong())
                    .isEqualTo(500_000_000L);
            var seen = iam.api(iam.keys.get("reader"), "GET", "/api/v1/quota", null, 200);
            assertThat(seen.path("account").asText()).isEqualTo("acme");
            assertThat(seen.path("storage").path("limitText").asText()).isEqualTo("500 MB");
            assertThat(seen.path("traffic").path("limit").asLong()).isEqualTo(1_000_000_000L);
            // The change is in the audit log, with who made it.
            assertThat(iam.api(iam.adminKey, "GET", "/api/v1/audit?limit=20", null, 200).toString())
                    .contains("api.post quota").contains("api.post immutable-tags");
        }
    }
}
