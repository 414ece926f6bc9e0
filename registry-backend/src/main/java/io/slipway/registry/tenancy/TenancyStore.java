package io.slipway.registry.tenancy;

import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.ApiKey;
import io.slipway.registry.tenancy.TenancyModel.AuditEntry;
import io.slipway.registry.tenancy.TenancyModel.Kind;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Policy;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.util.List;
import java.util.Optional;

/**
 * Where accounts, namespaces, principals, API keys, policies, token signing keys and the audit
 * log are kept. Names handed in are already validated by {@link Tenancy}.
 */
public interface TenancyStore {

    // accounts
    Account createAccount(String name);

    Optional<Account> account(String name);

    List<Account> accounts();

    boolean anyAccount();

    // namespaces
    Namespace createNamespace(String name, long accountId, boolean isPublic);

    Optional<Namespace> namespace(String name);

    List<Namespace> namespaces(Long accountId);

    boolean setPublic(String name, boolean isPublic);

    boolean deleteNamespace(String name);

    // principals
    Principal createPrincipal(long accountId, Kind kind, String name, String passwordHash, boolean admin);

    Optional<Principal> principal(long id);

    Optional<Principal> user(String name);

    Optional<Principal> serviceId(long accountId, String name);

    List<Principal> principals(long accountId);

    /** Removes the principal with its keys and grants (its tokens stop working with it). */
    boolean deletePrincipal(long id);

    /**
     * Registry tokens of the principal issued before this time (epoch ms) are revoked; empty when
     * the principal no longer exists. Raised when one of its keys or grants is removed.
     */
    java.util.OptionalLong tokensAfter(long principalId);

    /** How many revocations this store (this node) has written: a cache of {@link #tokensAfter} rereads when it changes. */
    long revocations();

    // API keys
    ApiKey createApiKey(long principalId, String lookup, String hash, String description);

    Optional<ApiKey> apiKeyByLookup(String lookup);

    List<ApiKey> apiKeys(long principalId);

    /** Removes the key and revokes the tokens its principal holds. */
    boolean deleteApiKey(long id);

    // policies
    Policy createPolicy(long accountId, long principalId, Role role, String namespace, String repository);

    List<Policy> policiesOf(long principalId);

    List<Policy> policiesInAccount(long accountId);

    Optional<Policy> policy(long id);

    /** Removes the grant and revokes the tokens its principal holds. */
    boolean deletePolicy(long id);

    /**
     * A token signing key as Slipway before schema V12 kept it in the database: (kid, PKCS#8 private, X.509 public).
     * The key now lives in a file of its own ({@code auth.TokenKey}); this is only read to move it there.
     */
    record SigningKey(String kid, byte[] privateKey, byte[] publicKey) {
        /** Never the secret: a record's toString ends up in logs and exception messages. */
        @Override
        public String toString() {
            return "SigningKey[kid=" + kid + "]";
        }

    }

    /**
     * Runs {@code keep} with the newest signing key an older Slipway left in the database (null when none is
     * left), under a lock every node sharing the database takes, and erases every such key from the database once
     * {@code keep} returns; when it throws, nothing is erased.
     */
    <T> T takeLegacySigningKey(java.util.function.Function<SigningKey, T> keep);

    // audit
    void audit(String actor, String action, String target, String remote, String outcome);

    /** Told of each audit entry inside the transaction that writes it (the events it makes are written with it). */
    @FunctionalInterface
    interface AuditListener {
        void recorded(java.sql.Connection c, AuditEntry entry) throws java.sql.SQLException;
    }

    void onAudit(AuditListener listener);

    List<AuditEntry> auditLog(int limit);
}
