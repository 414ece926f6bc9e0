package io.slipway.registry.scan;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.registry.metadata.MetadataException;
import io.slipway.registry.metadata.SqlDatabase;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Scan results and exemptions in the registry's database: SQLite, or the PostgreSQL nodes share. */
public final class ScanStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqlDatabase db;

    /** An exemption as stored: the account it belongs to and who made it. */
    public record StoredExemption(long id, long accountId, String scope, String issueType, String issueId,
            String reason, String createdBy, Instant created) {
    }

    public ScanStore(SqlDatabase db) {
        this.db = db;
    }

    public void put(ScanResult r) {
        ObjectNode result = JSON.createObjectNode();
        result.put("os", r.os());
        result.put("unassessed", r.unassessed());
        result.set("issues", JSON.valueToTree(r.issues()));
        result.set("advice", JSON.valueToTree(r.advice()));
        result.put("error", r.error());
        db.write(c -> SqlDatabase.update(c, "INSERT INTO scans(digest, state, result, db_version, updated_at) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET state = excluded.state, "
                + "result = excluded.result, db_version = excluded.db_version, updated_at = excluded.updated_at",
                r.digest().toString(), r.state().name(), result.toString(), r.databaseVersion(),
                r.updated().toEpochMilli()));
    }

    public Optional<ScanResult> get(Digest digest) {
        return db.one("SELECT digest, state, result, db_version, updated_at FROM scans WHERE digest = ?",
                ScanStore::row, digest.toString());
    }

    /** The stored results of {@code digests} (those that have one), in one query per 500. */
    public java.util.Map<Digest, ScanResult> getAll(java.util.Collection<Digest> digests) {
        java.util.Map<Digest, ScanResult> found = new java.util.HashMap<>();
        List<String> all = digests.stream().map(Digest::toString).distinct().toList();
        for (int i = 0; i < all.size(); i += 500) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + 500));
            db.list("SELECT digest, state, result, db_version, updated_at FROM scans WHERE digest IN ("
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")", ScanStore::row,
                    chunk.toArray()).forEach(r -> found.put(r.digest(), r));
        }
        return found;
    }

    /** Digests scanned (or failed) against another database version, newest first. */
    public List<Digest> staleScans(String databaseVersion) {
        return db.list("SELECT digest FROM scans WHERE state IN ('DONE', 'FAILED') AND "
                + "(db_version IS NULL OR db_version <> ?) ORDER BY updated_at DESC",
                rs -> Digest.parse(rs.getString(1)), databaseVersion);
    }

    /** Results stored before assessments were recorded kept only a flag. */
    private static String unassessed(com.fasterxml.jackson.databind.JsonNode result) {
        if (result.path("unassessed").isTextual()) {
            return result.path("unassessed").asText();
        }
        return result.has("osSupported") && !result.path("osSupported").asBoolean()
                ? "the operating system is not supported" : null;
    }

    private static ScanResult row(java.sql.ResultSet rs) throws java.sql.SQLException {
        try {
            var result = JSON.readTree(rs.getString(3));
            List<ScanResult.Issue> issues = JSON.convertValue(result.path("issues"), new TypeReference<>() { });
            List<String> advice = JSON.convertValue(result.path("advice"), new TypeReference<>() { });
            return new ScanResult(Digest.parse(rs.getString(1)), ScanResult.State.valueOf(rs.getString(2)),
                    result.path("os").isNull() ? null : result.path("os").asText(null),
                    unassessed(result), issues == null ? List.of() : issues,
                    advice == null ? List.of() : advice,
                    result.path("error").isNull() ? null : result.path("error").asText(null), rs.getString(4),
                    Instant.ofEpochMilli(rs.getLong(5)));
        } catch (IOException | IllegalArgumentException e) {
            throw new MetadataException("unreadable scan result: " + e.getMessage(), e);
        }
    }

    // --- exemptions

    public StoredExemption addExemption(long accountId, String scope, String issueType, String issueId, String reason,
            String createdBy) {
        long now = System.currentTimeMillis();
        long id = db.write(c -> SqlDatabase.list(c, "INSERT INTO exemptions(account_id, scope, issue_type, issue_id, "
                + "reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", rs -> rs.getLong(1),
                accountId, scope, issueType, issueId, reason, createdBy, now).get(0));
        return new StoredExemption(id, accountId, scope, issueType, issueId, reason, createdBy, Instant.ofEpochMilli(now));
    }

    public List<StoredExemption> exemptions(long accountId) {
        return db.list("SELECT id, account_id, scope, issue_type, issue_id, reason, created_by, created_at "
                + "FROM exemptions WHERE account_id = ? ORDER BY id", rs -> new StoredExemption(rs.getLong(1),
                rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                Instant.ofEpochMilli(rs.getLong(8))), accountId);
    }

    public boolean deleteExemption(long accountId, long id) {
        return db.write(c -> SqlDatabase.update(c, "DELETE FROM exemptions WHERE id = ? AND account_id = ?", id,
                accountId) > 0);
    }
}
