package io.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.auth.TokenKey;
import io.slipway.registry.console.ConsoleSessions;
import io.slipway.registry.events.WebhookStore;
import io.slipway.registry.metadata.PostgresSettings;
import io.slipway.registry.storage.S3Settings;
import io.slipway.registry.tenancy.Tenancy;
import io.slipway.registry.tenancy.TenancyModel;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A record holding a secret never prints it: toString ends up in logs, exception messages and debugger
 * views. Each record is built with a recognisable secret and its text searched for it.
 */
class SecretsInToStringTest {
    private static final String SECRET = "s3cr3t-6f1d2a";
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void noRecordHoldingASecretPrintsIt() {
        TenancyModel.Principal alice = new TenancyModel.Principal(7, 1, "acme", TenancyModel.Kind.USER, "alice", false,
                "$argon2id$" + SECRET);
        TenancyModel.ApiKey key = new TenancyModel.ApiKey(3, 7, "lookup-" + SECRET, "hash-" + SECRET, "ci", NOW);
        ConsoleSessions.Session session = new ConsoleSessions.Session(alice, "csrf-" + SECRET, NOW);
        Object[] holders = {
            alice,
            key,
            new Tenancy.CreatedKey(key, SECRET),
            session,
            new ConsoleSessions.Opened(SECRET, session),
            new WebhookStore.Subscription(1, 1, "acme-dev", "https://hooks.example/x", Set.of("push"), SECRET, "alice", NOW),
            new WebhookStore.Claimed(1, 1, "evt-1", "{}", 0, 0, "https://hooks.example/x", SECRET),
            new S3Settings("bucket", URI.create("http://127.0.0.1:9000"), "us-east-1", true, "access", SECRET, 5 << 20,
                    Duration.ofMinutes(5)),
            new PostgresSettings("jdbc:postgresql://127.0.0.1/slipway", "slipway", SECRET, 4),
        };
        for (Object holder : holders) {
            assertThat(holder.toString()).as(holder.getClass().getSimpleName()).doesNotContain(SECRET)
                    .startsWith(holder.getClass().getSimpleName() + "[");
        }
        assertThat(alice.toString()).contains("user:acme/alice");
        TokenKey token = TokenKey.ephemeral();
        assertThat(token.toString()).doesNotContain(Base64.getEncoder().encodeToString(token.privateKey().getEncoded()))
                .isEqualTo("TokenKey[kid=" + token.kid() + "]");
    }
}
