package io.slipway.registry.enforcement;

import io.slipway.registry.metadata.SqlDatabase;
import java.util.List;
import java.util.Optional;

/**
 * Image policy documents and signer keys in the registry's database, SQLite or PostgreSQL ("" is
 * the cluster scope).
 */
public final class PolicyStore {
    private final SqlDatabase db;

    public record StoredPolicy(String kind, String namespace, String name, String document, String updatedBy) {
    }

    public PolicyStore(SqlDatabase db) {
        this.db = db;
    }

    public void putPolicy(String kind, String namespace, String name, String document, String by) {
        upsert("INSERT INTO image_policies(kind, namespace, name, document, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT(kind, namespace, name) DO UPDATE SET document = excluded.document, "
                + "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                kind, namespace, name, document, by, System.currentTimeMillis());
    }

    public List<StoredPolicy> policies() {
        return db.list("SELECT kind, namespace, name, document, updated_by FROM image_policies ORDER BY kind, namespace, name",
                rs -> new StoredPolicy(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5)));
    }

    public boolean deletePolicy(String kind, String namespace, String name) {
        return upsert("DELETE FROM image_policies WHERE kind = ? AND namespace = ? AND name = ?", kind, namespace, name) > 0;
    }

    public void putKey(String namespace, String name, String publicKey, String by) {
        upsert("INSERT INTO signer_keys(namespace, name, public_key, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT(namespace, name) DO UPDATE SET public_key = excluded.public_key, "
                + "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                namespace, name, publicKey, by, System.currentTimeMillis());
    }

    public Optional<String> key(String namespace, String name) {
        List<String> keys = db.list("SELECT public_key FROM signer_keys WHERE namespace = ? AND name = ?",
                rs -> rs.getString(1), namespace, name);
        return keys.isEmpty() ? Optional.empty() : Optional.of(keys.get(0));
    }

    private int upsert(String sql, Object... args) {
        return db.write(c -> {
            try (var ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        });
    }
}
