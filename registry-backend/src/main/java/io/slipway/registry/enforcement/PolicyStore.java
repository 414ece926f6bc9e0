package io.slipway.registry.enforcement;

import io.slipway.registry.metadata.SqlDatabase;
import java.util.List;
import java.util.Optional;

/**
 * Image policy documents and signer keys in the registry's database, SQLite or PostgreSQL. Every
 * row belongs to an account ({@link #CLUSTER}, 0, for ClusterImagePolicies and registry-wide keys)
 * and every read or write names the account, so one account's rows can never be read, replaced or
 * removed through another's. A key's namespace "" means the whole account (or, in the cluster
 * scope, the whole registry).
 */
public final class PolicyStore {
    /** The account id of cluster-wide documents and keys; no account has it. */
    public static final long CLUSTER = 0;

    private final SqlDatabase db;

    public record StoredPolicy(long accountId, String kind, String namespace, String name, String document,
            String updatedBy) {
    }

    public record StoredKey(long accountId, String namespace, String name, String publicKey, String updatedBy) {
    }

    public PolicyStore(SqlDatabase db) {
        this.db = db;
    }

    public void putPolicy(long accountId, String kind, String namespace, String name, String document, String by) {
        update("INSERT INTO image_policies(account_id, kind, namespace, name, document, updated_by, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(account_id, kind, namespace, name) DO UPDATE SET "
                + "document = excluded.document, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                accountId, kind, namespace, name, document, by, System.currentTimeMillis());
    }

    /** The policies of one account (or of the cluster scope). */
    public List<StoredPolicy> policies(long accountId) {
        return db.list("SELECT account_id, kind, namespace, name, document, updated_by FROM image_policies "
                + "WHERE account_id = ? ORDER BY kind, namespace, name", PolicyStore::policy, accountId);
    }

    /** Every policy of every account, for the administrator. */
    public List<StoredPolicy> allPolicies() {
        return db.list("SELECT account_id, kind, namespace, name, document, updated_by FROM image_policies "
                + "ORDER BY account_id, kind, namespace, name", PolicyStore::policy);
    }

    private static StoredPolicy policy(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new StoredPolicy(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6));
    }

    public boolean deletePolicy(long accountId, String kind, String namespace, String name) {
        return update("DELETE FROM image_policies WHERE account_id = ? AND kind = ? AND namespace = ? AND name = ?",
                accountId, kind, namespace, name) > 0;
    }

    public void putKey(long accountId, String namespace, String name, String publicKey, String by) {
        update("INSERT INTO signer_keys(account_id, namespace, name, public_key, updated_by, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(account_id, namespace, name) DO UPDATE SET "
                + "public_key = excluded.public_key, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                accountId, namespace, name, publicKey, by, System.currentTimeMillis());
    }

    public Optional<String> key(long accountId, String namespace, String name) {
        return db.one("SELECT public_key FROM signer_keys WHERE account_id = ? AND namespace = ? AND name = ?",
                rs -> rs.getString(1), accountId, namespace, name);
    }

    /** The keys of one account (or of the cluster scope). */
    public List<StoredKey> keys(long accountId) {
        return db.list("SELECT account_id, namespace, name, public_key, updated_by FROM signer_keys WHERE account_id = ? "
                + "ORDER BY namespace, name", rs -> new StoredKey(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5)), accountId);
    }

    public boolean deleteKey(long accountId, String namespace, String name) {
        return update("DELETE FROM signer_keys WHERE account_id = ? AND namespace = ? AND name = ?",
                accountId, namespace, name) > 0;
    }

    private int update(String sql, Object... args) {
        return db.write(c -> SqlDatabase.update(c, sql, args));
    }
}
