package io.slipway.registry.tenancy;

import io.slipway.registry.metadata.MetadataException;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.metadata.SqlDatabase.Row;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.ApiKey;
import io.slipway.registry.tenancy.TenancyModel.AuditEntry;
import io.slipway.registry.tenancy.TenancyModel.Kind;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Policy;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Tenancy and IAM tables in a SQL database: the embedded SQLite file of one node or the PostgreSQL
 * database several nodes share — the statements are portable (booleans bound as Java booleans,
 * {@code INSERT … RETURNING id}). {@link Tenancy} checks uniqueness before creating; when another
 * writer wins the race in between, the database's unique constraint answers and this store
 * reports the same conflict {@link Tenancy} would have.
 */
public final class SqlTenancyStore implements TenancyStore {
    /** Arbitrary, fixed: serializes the creation of the first token signing key across nodes. */
    private static final long SIGNING_KEY_LOCK = 0x536c6970774b6579L;

    private final SqlDatabase db;
    /** Counts revocations written through this store, so this node's caches notice them at once. */
    private final java.util.concurrent.atomic.AtomicLong revocations = new java.util.concurrent.atomic.AtomicLong();

    public SqlTenancyStore(SqlDatabase db) {
        this.db = db;
    }

    private <T> List<T> query(String sql, Row<T> row, Object... args) {
        return db.list(sql, row, args);
    }

    /** Runs an INSERT … RETURNING id; a duplicate becomes the conflict {@code what} names. */
    private long insert(String what, String sql, Object... args) {
        try {
            return db.write(c -> SqlDatabase.list(c, sql + " RETURNING id", rs -> rs.getLong(1), args).get(0));
        } catch (MetadataException e) {
            if (db.isDuplicate(e)) {
                throw TenancyException.conflict(what + " exists");
            }
            throw e;
        }
    }

    private int update(String sql, Object... args) {
        return db.write(c -> SqlDatabase.update(c, sql, args));
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    // --- accounts

    private static final Row<Account> ACCOUNT = rs -> new Account(rs.getLong(1), rs.getString(2),
            Instant.ofEpochMilli(rs.getLong(3)));

    @Override
    public Account createAccount(String name) {
        long t = now();
        long id = insert("account " + name, "INSERT INTO accounts(name, created_at) VALUES (?, ?)", name, t);
        return new Account(id, name, Instant.ofEpochMilli(t));
    }

    @Override
    public Optional<Account> account(String name) {
        return db.one("SELECT id, name, created_at FROM accounts WHERE name = ?", ACCOUNT, name);
    }

    @Override
    public List<Account> accounts() {
        return query("SELECT id, name, created_at FROM accounts ORDER BY name", ACCOUNT);
    }

    @Override
    public boolean anyAccount() {
        return !query("SELECT 1 FROM accounts LIMIT 1", rs -> 1).isEmpty();
    }

    // --- namespaces

    private static final String NAMESPACE_SELECT = "SELECT n.name, n.account_id, a.name, n.public, n.created_at "
            + "FROM namespaces n JOIN accounts a ON a.id = n.account_id ";
    private static final Row<Namespace> NAMESPACE = rs -> new Namespace(rs.getString(1), rs.getLong(2),
            rs.getString(3), rs.getBoolean(4), Instant.ofEpochMilli(rs.getLong(5)));

    @Override
    public Namespace createNamespace(String name, long accountId, boolean isPublic) {
        insert("namespace " + name, "INSERT INTO namespaces(name, account_id, public, created_at) VALUES (?, ?, ?, ?)",
                name, accountId, isPublic, now());
        return namespace(name).orElseThrow();
    }

    @Override
    public Optional<Namespace> namespace(String name) {
        return db.one(NAMESPACE_SELECT + "WHERE n.name = ?", NAMESPACE, name);
    }

    @Override
    public List<Namespace> namespaces(Long accountId) {
        return accountId == null
                ? query(NAMESPACE_SELECT + "ORDER BY n.name", NAMESPACE)
                : query(NAMESPACE_SELECT + "WHERE n.account_id = ? ORDER BY n.name", NAMESPACE, accountId);
    }

    @Override
    public boolean setPublic(String name, boolean isPublic) {
        return update("UPDATE namespaces SET public = ? WHERE name = ?", isPublic, name) > 0;
    }

    @Override
    public boolean deleteNamespace(String name) {
        return db.write(c -> {
            SqlDatabase.update(c, "DELETE FROM policies WHERE namespace = ?", name);
            return SqlDatabase.update(c, "DELETE FROM namespaces WHERE name = ?", name) > 0;
        });
    }

    // --- principals

    private static final String PRINCIPAL_SELECT = "SELECT p.id, p.account_id, a.name, p.kind, p.name, p.admin, "
            + "p.password_hash FROM principals p JOIN accounts a ON a.id = p.account_id ";
    private static final Row<Principal> PRINCIPAL = rs -> new Principal(rs.getLong(1), rs.getLong(2),
            rs.getString(3), Kind.of(rs.getString(4)), rs.getString(5), rs.getBoolean(6), rs.getString(7));

    @Override
    public Principal createPrincipal(long accountId, Kind kind, String name, String passwordHash, boolean admin) {
        long created = now();
        long id = insert(kind.label + " " + name, "INSERT INTO principals(account_id, kind, name, password_hash, "
                + "admin, created_at, tokens_after) VALUES (?, ?, ?, ?, ?, ?, ?)", accountId, kind.label, name,
                passwordHash, admin, created, created);
        return principal(id).orElseThrow();
    }

    @Override
    public Optional<Principal> principal(long id) {
        return db.one(PRINCIPAL_SELECT + "WHERE p.id = ?", PRINCIPAL, id);
    }

    @Override
    public Optional<Principal> user(String name) {
        return db.one(PRINCIPAL_SELECT + "WHERE p.kind = 'user' AND p.name = ?", PRINCIPAL, name);
    }

    @Override
    public Optional<Principal> serviceId(long accountId, String name) {
        return db.one(PRINCIPAL_SELECT + "WHERE p.kind = 'service' AND p.account_id = ? AND p.name = ?", PRINCIPAL,
                accountId, name);
    }

    @Override
    public List<Principal> principals(long accountId) {
        return query(PRINCIPAL_SELECT + "WHERE p.account_id = ? ORDER BY p.kind, p.name", PRINCIPAL, accountId);
    }

    @Override
    public boolean deletePrincipal(long id) {
        boolean deleted = db.write(c -> {
            for (String sql : List.of("DELETE FROM api_keys WHERE principal_id = ?",
                    "DELETE FROM policies WHERE principal_id = ?")) {
                SqlDatabase.update(c, sql, id);
            }
            return SqlDatabase.update(c, "DELETE FROM principals WHERE id = ?", id) > 0;
        });
        revocations.incrementAndGet();
        return deleted;
    }

    // --- API keys

    private static final Row<ApiKey> API_KEY = rs -> new ApiKey(rs.getLong(1), rs.getLong(2), rs.getString(3),
            rs.getString(4), rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)));
    private static final String API_KEY_SELECT =
            "SELECT id, principal_id, lookup, hash, description, created_at FROM api_keys ";

    @Override
    public ApiKey createApiKey(long principalId, String lookup, String hash, String description) {
        long t = now();
        long id = insert("API key", "INSERT INTO api_keys(principal_id, lookup, hash, description, created_at) "
                + "VALUES (?, ?, ?, ?, ?)", principalId, lookup, hash, description, t);
        return new ApiKey(id, principalId, lookup, hash, description, Instant.ofEpochMilli(t));
    }

    @Override
    public Optional<ApiKey> apiKeyByLookup(String lookup) {
        return db.one(API_KEY_SELECT + "WHERE lookup = ?", API_KEY, lookup);
    }

    @Override
    public List<ApiKey> apiKeys(long principalId) {
        return query(API_KEY_SELECT + "WHERE principal_id = ? ORDER BY id", API_KEY, principalId);
    }

    @Override
    public boolean deleteApiKey(long id) {
        return revokingOwner("api_keys", id);
    }

    /**
     * Deletes row {@code id} of {@code table} (an API key or a role grant) and, in the same
     * transaction, revokes every token its principal holds: they were granted with it.
     */
    private boolean revokingOwner(String table, long id) {
        boolean deleted = db.write(c -> {
            SqlDatabase.update(c, "UPDATE principals SET tokens_after = ? WHERE id = (SELECT principal_id FROM " + table
                    + " WHERE id = ?)", now() + 1, id);
            return SqlDatabase.update(c, "DELETE FROM " + table + " WHERE id = ?", id) > 0;
        });
        revocations.incrementAndGet();
        return deleted;
    }

    @Override
    public java.util.OptionalLong tokensAfter(long principalId) {
        List<Long> after = query("SELECT tokens_after FROM principals WHERE id = ?", rs -> rs.getLong(1), principalId);
        return after.isEmpty() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(after.get(0));
    }

    @Override
    public long revocations() {
        return revocations.get();
    }

    // --- policies

    private static final String POLICY_SELECT = "SELECT p.id, p.account_id, p.principal_id, pr.name, pr.kind, p.role, "
            + "p.namespace, p.repository, p.created_at FROM policies p JOIN principals pr ON pr.id = p.principal_id ";
    private static final Row<Policy> POLICY = rs -> new Policy(rs.getLong(1), rs.getLong(2), rs.getLong(3),
            rs.getString(4), Kind.of(rs.getString(5)), Role.parse(rs.getString(6)), rs.getString(7), rs.getString(8),
            Instant.ofEpochMilli(rs.getLong(9)));

    @Override
    public Policy createPolicy(long accountId, long principalId, Role role, String namespace, String repository) {
        long id = insert("policy", "INSERT INTO policies(account_id, principal_id, role, namespace, repository, "
                + "created_at) VALUES (?, ?, ?, ?, ?, ?)", accountId, principalId, role.label(), namespace, repository,
                now());
        return policy(id).orElseThrow();
    }

    @Override
    public List<Policy> policiesOf(long principalId) {
        return query(POLICY_SELECT + "WHERE p.principal_id = ? ORDER BY p.id", POLICY, principalId);
    }

    @Override
    public List<Policy> policiesInAccount(long accountId) {
        return query(POLICY_SELECT + "WHERE p.account_id = ? ORDER BY p.id", POLICY, accountId);
    }

    @Override
    public Optional<Policy> policy(long id) {
        return db.one(POLICY_SELECT + "WHERE p.id = ?", POLICY, id);
    }

    @Override
    public boolean deletePolicy(long id) {
        return revokingOwner("policies", id);
    }

    // --- signing keys

    @Override
    public <T> T takeLegacySigningKey(java.util.function.Function<SigningKey, T> keep) {
        // Nodes starting together must agree: one moves the key to its file, the others find the file.
        return db.write(c -> {
            db.serializeOn(c, SIGNING_KEY_LOCK);
            List<SigningKey> keys = SqlDatabase.list(c, "SELECT kid, private_key, public_key FROM legacy_signing_keys "
                    + "ORDER BY created_at DESC, kid LIMIT 1", rs -> new SigningKey(rs.getString(1), rs.getBytes(2),
                    rs.getBytes(3)));
            T result = keep.apply(keys.isEmpty() ? null : keys.get(0));
            if (!keys.isEmpty()) {
                if (c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("sqlite")) {
                    // Zero the freed pages, or the key's bytes would stay readable in the database file.
                    try (java.sql.Statement st = c.createStatement()) {
                        st.execute("PRAGMA secure_delete = ON");
                    }
                }
                SqlDatabase.update(c, "DELETE FROM legacy_signing_keys");
            }
            return result;
        });
    }

    // --- audit

    private final List<AuditListener> auditListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onAudit(AuditListener listener) {
        auditListeners.add(listener);
    }

    /** Records the entry with the id of the request being handled, and the events it makes, in one transaction. */
    @Override
    public void audit(String actor, String action, String target, String remote, String outcome) {
        long at = now();
        String requestId = io.slipway.registry.observe.RequestIds.current();
        db.write(c -> {
            long id = SqlDatabase.list(c, "INSERT INTO audit_log(at, actor, action, target, remote, outcome, request_id) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", rs -> rs.getLong(1), at, actor, action, target, remote,
                    outcome, requestId).get(0);
            AuditEntry entry = new AuditEntry(id, Instant.ofEpochMilli(at), actor, action, target, remote, outcome, requestId);
            for (AuditListener listener : auditListeners) {
                listener.recorded(c, entry);
            }
            return null;
        });
    }

    @Override
    public List<AuditEntry> auditLog(int limit) {
        return query("SELECT id, at, actor, action, target, remote, outcome, request_id FROM audit_log ORDER BY id DESC "
                + "LIMIT ?", rs -> new AuditEntry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)), limit);
    }
}
