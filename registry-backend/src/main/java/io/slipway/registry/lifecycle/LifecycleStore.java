package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.registry.metadata.SqlDatabase;
import java.util.List;
import java.util.Optional;

/**
 * The storage lifecycle's rows in the registry's database (SQLite or PostgreSQL, the same SQL):
 * immutable-tag rules and claims, quotas and pull traffic. Every rule and quota names its account,
 * and every read of them names it too.
 */
public final class LifecycleStore {
    private final SqlDatabase db;

    /** An immutable-tag rule: tags matching {@code glob} in {@code scope} (namespace or namespace/repository). */
    public record Rule(long accountId, String scope, String glob, String createdBy, long createdAt) {
    }

    /** An account's limits; null is no limit. */
    public record Quota(Long storageBytes, Long trafficBytes) {
        static final Quota NONE = new Quota(null, null);
    }

    public LifecycleStore(SqlDatabase db) {
        this.db = db;
    }

    SqlDatabase database() {
        return db;
    }

    // --- immutable tags

    /** Adds a rule; false when the account has it already. */
    public boolean addRule(long accountId, String scope, String glob, String by) {
        return db.write(c -> SqlDatabase.update(c, "INSERT INTO immutable_tag_rules(account_id, scope, glob, created_by, "
                + "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, scope, glob) DO NOTHING",
                accountId, scope, glob, by, System.currentTimeMillis()) > 0);
    }

    public List<Rule> rules(long accountId) {
        return db.list("SELECT account_id, scope, glob, created_by, created_at FROM immutable_tag_rules "
                + "WHERE account_id = ? ORDER BY scope, glob", LifecycleStore::rule, accountId);
    }

    /** The rules of the account that apply in {@code repository} (its namespace's and its own). */
    public List<Rule> rulesFor(long accountId, String namespace, String repository) {
        return db.list("SELECT account_id, scope, glob, created_by, created_at FROM immutable_tag_rules "
                + "WHERE account_id = ? AND (scope = ? OR scope = ?) ORDER BY scope, glob", LifecycleStore::rule,
                accountId, namespace, repository);
    }

    public boolean deleteRule(long accountId, String scope, String glob) {
        return db.write(c -> SqlDatabase.update(c, "DELETE FROM immutable_tag_rules WHERE account_id = ? AND scope = ? "
                + "AND glob = ?", accountId, scope, glob) > 0);
    }

    private static Rule rule(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Rule(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5));
    }

    /**
     * Claims an immutable tag for {@code digest} and returns the digest that holds the claim: the
     * first claimant's, unless that claim is older than {@code staleMillis} (a push that never
     * landed, or an image removed with its namespace), which the caller then takes over.
     */
    public String claim(String repository, String tag, Digest digest, long staleMillis) {
        long now = System.currentTimeMillis();
        return db.write(c -> {
            SqlDatabase.update(c, "INSERT INTO immutable_tag_claims(repository, tag, digest, claimed_at) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (repository, tag) DO NOTHING", repository, tag, digest.toString(), now);
            record Claim(String digest, long at) {
            }
            Claim held = SqlDatabase.list(c, "SELECT digest, claimed_at FROM immutable_tag_claims WHERE repository = ? "
                    + "AND tag = ?", rs -> new Claim(rs.getString(1), rs.getLong(2)), repository, tag).get(0);
            if (!held.digest().equals(digest.toString()) && held.at() < now - staleMillis
                    && SqlDatabase.update(c, "UPDATE immutable_tag_claims SET digest = ?, claimed_at = ? WHERE repository = ? "
                            + "AND tag = ? AND digest = ? AND claimed_at = ?", digest.toString(), now, repository, tag,
                            held.digest(), held.at()) == 1) {
                return digest.toString();
            }
            return held.digest();
        });
    }

    // --- quotas

    public Quota quota(long accountId) {
        List<Quota> q = db.list("SELECT storage_bytes, traffic_bytes FROM quotas WHERE account_id = ?",
                rs -> new Quota(nullable(rs, 1), nullable(rs, 2)), accountId);
        return q.isEmpty() ? Quota.NONE : q.get(0);
    }

    /** An account's quota, for the metrics' survey of every quota. */
    public record AccountQuota(long accountId, Quota quota) {
    }

    /** Every account that has a quota. */
    public List<AccountQuota> quotas() {
        return db.list("SELECT account_id, storage_bytes, traffic_bytes FROM quotas ORDER BY account_id",
                rs -> new AccountQuota(rs.getLong(1), new Quota(nullable(rs, 2), nullable(rs, 3))));
    }

    public void setQuota(long accountId, Quota quota, String by) {
        db.write(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO quotas(account_id, storage_bytes, "
                    + "traffic_bytes, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET "
                    + "storage_bytes = excluded.storage_bytes, traffic_bytes = excluded.traffic_bytes, "
                    + "updated_by = excluded.updated_by, updated_at = excluded.updated_at")) {
                ps.setLong(1, accountId);
                // A missing limit is a null of the column's own type (PostgreSQL refuses a text null there).
                bindLong(ps, 2, quota.storageBytes());
                bindLong(ps, 3, quota.trafficBytes());
                ps.setString(4, by);
                ps.setLong(5, System.currentTimeMillis());
                return ps.executeUpdate();
            }
        });
    }

    private static void bindLong(java.sql.PreparedStatement ps, int i, Long v) throws java.sql.SQLException {
        if (v == null) {
            ps.setNull(i, java.sql.Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private static Long nullable(java.sql.ResultSet rs, int column) throws java.sql.SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /**
     * Every distinct (namespace, digest, size) of what the account stores: blobs linked into the
     * repositories of each of its namespaces, manifests in them, and manifests in its trash (under the
     * namespace their repository was in; none when that namespace is gone). The one definition of what
     * an account holds: the quota's use ({@link #storageUsed}) and the console's per-namespace use
     * ({@link #storageUsedByNamespace}) are two sums over it.
     */
    private static final String HELD_BY_NAMESPACE = "SELECT n.name AS namespace, rb.digest AS digest, rb.size AS size "
            + "FROM repository_blobs rb JOIN repositories r ON r.id = rb.repository_id "
            + "JOIN namespaces n ON substr(r.name, 1, length(n.name) + 1) = n.name || '/' WHERE n.account_id = ? "
            + "UNION SELECT n.name, m.digest, m.size FROM manifests m JOIN repositories r ON r.id = m.repository_id "
            + "JOIN namespaces n ON substr(r.name, 1, length(n.name) + 1) = n.name || '/' WHERE n.account_id = ? "
            + "UNION SELECT n.name, t.digest, t.size FROM trash t LEFT JOIN namespaces n "
            + "ON n.account_id = t.account_id AND substr(t.repository, 1, length(n.name) + 1) = n.name || '/' "
            + "WHERE t.account_id = ?";
    /**
     * Every distinct (digest, size) the account stores. Shared with itself (between repositories or
     * namespaces), a blob counts once; shared with another account, it counts in full to each.
     */
    private static final String HELD = "SELECT DISTINCT hn.digest AS digest, hn.size AS size FROM (" + HELD_BY_NAMESPACE
            + ") hn";

    /** The bytes the account stores, each digest counted once: what its storage quota judges. */
    public long storageUsed(long accountId) {
        return db.list("SELECT COALESCE(SUM(h.size), 0) FROM (" + HELD + ") h", rs -> rs.getLong(1),
                accountId, accountId, accountId).get(0);
    }

    /**
     * The bytes each namespace of the account stores, each digest counted once per namespace: a blob
     * two namespaces share counts in each, so the namespaces' sum may pass {@link #storageUsed}. Only
     * namespaces that store something are in the map.
     */
    public java.util.Map<String, Long> storageUsedByNamespace(long accountId) {
        java.util.Map<String, Long> used = new java.util.TreeMap<>();
        db.list("SELECT hn.namespace, SUM(hn.size) FROM (" + HELD_BY_NAMESPACE + ") hn WHERE hn.namespace IS NOT NULL "
                + "GROUP BY hn.namespace", rs -> used.put(rs.getString(1), rs.getLong(2)), accountId, accountId, accountId);
        return used;
    }

    /** True when the account stores {@code digest} already (so storing it again costs nothing). */
    public boolean holds(long accountId, Digest digest) {
        return !db.list("SELECT 1 FROM (" + HELD + ") h WHERE h.digest = ?", rs -> 1, accountId, accountId,
                accountId, digest.toString()).isEmpty();
    }

    // --- pull traffic

    public long traffic(long accountId, String month) {
        List<Long> v = db.list("SELECT bytes FROM pull_traffic WHERE account_id = ? AND month = ?", rs -> rs.getLong(1),
                accountId, month);
        return v.isEmpty() ? 0 : v.get(0);
    }

    /**
     * Adds {@code bytes} to the month's traffic unless that would pass {@code limit} (null: no
     * limit), in one statement, so that nodes counting at once cannot pass it together.
     */
    public boolean addTraffic(long accountId, String month, long bytes, Long limit) {
        return db.write(c -> {
            SqlDatabase.update(c, "INSERT INTO pull_traffic(account_id, month, bytes) VALUES (?, ?, 0) "
                    + "ON CONFLICT (account_id, month) DO NOTHING", accountId, month);
            if (limit == null) {
                return SqlDatabase.update(c, "UPDATE pull_traffic SET bytes = bytes + ? WHERE account_id = ? AND month = ?",
                        bytes, accountId, month) == 1;
            }
            return SqlDatabase.update(c, "UPDATE pull_traffic SET bytes = bytes + ? WHERE account_id = ? AND month = ? "
                    + "AND bytes + ? <= ?", bytes, accountId, month, bytes, limit) == 1;
        });
    }

    // --- trash

    /** An image in the trash: what a restore needs to bring it back with its tags. */
    public record TrashEntry(long accountId, String repository, Digest digest, String mediaType, List<String> tags,
            List<String> refs, long size, String deletedBy, long deletedAt) {
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final String TRASH_COLUMNS = "account_id, repository, digest, media_type, tags, refs, size, "
            + "deleted_by, deleted_at";

    /** Remembers an image in the trash (again, if it was trashed before and pushed since). */
    public void putTrash(TrashEntry e) {
        String tags;
        String refs;
        try {
            tags = JSON.writeValueAsString(e.tags());
            refs = JSON.writeValueAsString(e.refs());
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
        db.write(c -> {
            SqlDatabase.update(c, "INSERT INTO trash(" + TRASH_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (repository, digest) DO UPDATE SET account_id = excluded.account_id, media_type = "
                    + "excluded.media_type, tags = excluded.tags, refs = excluded.refs, size = excluded.size, "
                    + "deleted_by = excluded.deleted_by, deleted_at = excluded.deleted_at", e.accountId(), e.repository(),
                    e.digest().toString(), e.mediaType(), tags, refs, e.size(), e.deletedBy(), e.deletedAt());
            // The references again as rows (V15), in the same transaction: what garbage collection
            // asks, by digest, to keep what the trash reaches. Removing the entry removes them
            // (ON DELETE CASCADE), so a restore or an expiry forgets them with it.
            SqlDatabase.update(c, "DELETE FROM trash_references WHERE repository = ? AND trash_digest = ?",
                    e.repository(), e.digest().toString());
            for (String ref : new java.util.TreeSet<>(e.refs())) {
                SqlDatabase.update(c, "INSERT INTO trash_references(repository, trash_digest, digest) VALUES (?, ?, ?)",
                        e.repository(), e.digest().toString(), ref);
            }
            return null;
        });
    }

    /** The account's trash, newest first. */
    public List<TrashEntry> trash(long accountId) {
        return db.list("SELECT " + TRASH_COLUMNS + " FROM trash WHERE account_id = ? ORDER BY deleted_at DESC, "
                + "repository, digest", LifecycleStore::trashEntry, accountId);
    }

    /** The trash of one repository, newest first. */
    public List<TrashEntry> trashIn(String repository) {
        return db.list("SELECT " + TRASH_COLUMNS + " FROM trash WHERE repository = ? ORDER BY deleted_at DESC, digest",
                LifecycleStore::trashEntry, repository);
    }

    public boolean deleteTrash(String repository, Digest digest) {
        return db.write(c -> SqlDatabase.update(c, "DELETE FROM trash WHERE repository = ? AND digest = ?", repository,
                digest.toString()) > 0);
    }

    /** Forgets every entry trashed before {@code cutoff} (epoch ms); how many. */
    public int expireTrash(long cutoff) {
        return db.write(c -> SqlDatabase.update(c, "DELETE FROM trash WHERE deleted_at < ?", cutoff));
    }

    private static TrashEntry trashEntry(java.sql.ResultSet rs) throws java.sql.SQLException {
        List<String> tags;
        List<String> refs;
        try {
            tags = List.of(JSON.readValue(rs.getString(5), String[].class));
            refs = List.of(JSON.readValue(rs.getString(6), String[].class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new java.sql.SQLException("unreadable tags in the trash", x);
        }
        return new TrashEntry(rs.getLong(1), rs.getString(2), Digest.parse(rs.getString(3)), rs.getString(4), tags,
                refs, rs.getLong(7), rs.getString(8), rs.getLong(9));
    }

    /** The digests a stored manifest references (its config and layers, or an index's children). */
    public List<String> references(String repository, Digest manifest) {
        return db.list("SELECT r.digest FROM manifest_references r JOIN repositories p ON p.id = r.repository_id "
                + "WHERE p.name = ? AND r.manifest_digest = ? ORDER BY r.position", rs -> rs.getString(1), repository,
                manifest.toString());
    }

    // --- retention

    /** A namespace's retention policy: keep the newest {@code images} per repository (all untagged ones too, if so). */
    public record RetentionPolicy(long accountId, String namespace, long images, boolean retainUntagged, String updatedBy,
            long updatedAt) {
    }

    private static final String RETENTION_COLUMNS = "account_id, namespace, images, retain_untagged, updated_by, updated_at";

    public void setRetentionPolicy(RetentionPolicy p) {
        db.write(c -> SqlDatabase.update(c, "INSERT INTO retention_policies(" + RETENTION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (namespace) DO UPDATE SET account_id = excluded.account_id, images = excluded.images, "
                + "retain_untagged = excluded.retain_untagged, updated_by = excluded.updated_by, "
                + "updated_at = excluded.updated_at", p.accountId(), p.namespace(), p.images(), p.retainUntagged() ? 1L : 0L,
                p.updatedBy(), p.updatedAt()));
    }

    /** The account's policies, by namespace. */
    public List<RetentionPolicy> retentionPolicies(long accountId) {
        return db.list("SELECT " + RETENTION_COLUMNS + " FROM retention_policies WHERE account_id = ? ORDER BY namespace",
                LifecycleStore::retentionPolicy, accountId);
    }

    /** Every policy of the registry (the daily run). */
    List<RetentionPolicy> retentionPolicies() {
        return db.list("SELECT " + RETENTION_COLUMNS + " FROM retention_policies ORDER BY namespace",
                LifecycleStore::retentionPolicy);
    }

    private static RetentionPolicy retentionPolicy(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new RetentionPolicy(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4) != 0, rs.getString(5),
                rs.getLong(6));
    }

    Optional<Long> accountOfNamespace(String namespace) {
        List<Long> v = db.list("SELECT account_id FROM namespaces WHERE name = ?", rs -> rs.getLong(1), namespace);
        return v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }
}
