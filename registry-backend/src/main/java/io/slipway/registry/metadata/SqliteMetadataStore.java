package io.slipway.registry.metadata;

import io.slipway.oci.Digest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** The embedded default: registry metadata in the tables of one {@link SqliteDatabase}. */
public final class SqliteMetadataStore implements MetadataStore {

    private final SqliteDatabase db;
    private final boolean ownsDatabase;

    /** A store over its own database file. */
    public SqliteMetadataStore(Path file) {
        this(new SqliteDatabase(file), true);
    }

    /** A store over a database shared with other stores; closing the store leaves it open. */
    public SqliteMetadataStore(SqliteDatabase db, boolean ownsDatabase) {
        this.db = db;
        this.ownsDatabase = ownsDatabase;
    }

    private <T> T read(SqliteDatabase.Work<T> work) {
        return db.read(work);
    }

    private <T> T write(SqliteDatabase.Work<T> work) {
        return db.write(work);
    }

    private static Long repositoryId(Connection c, String repository) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM repositories WHERE name = ?")) {
            ps.setString(1, repository);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static long ensureRepository(Connection c, String repository) throws SQLException {
        Long id = repositoryId(c, repository);
        if (id != null) {
            return id;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO repositories(name, created_at) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, repository);
            ps.setLong(2, System.currentTimeMillis());
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // --- repositories

    @Override
    public boolean repositoryExists(String repository) {
        return read(c -> repositoryId(c, repository) != null);
    }

    @Override
    public List<String> repositories(String last, int n) {
        return db.list("SELECT name FROM repositories WHERE name > ? ORDER BY name LIMIT ?", rs -> rs.getString(1),
                last == null ? "" : last, n);
    }

    // --- blobs

    @Override
    public void linkBlob(String repository, Digest digest, long size) {
        write(c -> {
            long id = ensureRepository(c, repository);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO repository_blobs(repository_id, digest, size) VALUES (?, ?, ?) "
                            + "ON CONFLICT(repository_id, digest) DO NOTHING")) {
                ps.setLong(1, id);
                ps.setString(2, digest.toString());
                ps.setLong(3, size);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public OptionalLong linkedBlobSize(String repository, Digest digest) {
        return db.query("SELECT b.size FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id "
                + "WHERE r.name = ? AND b.digest = ?",
                ps -> {
                    ps.setString(1, repository);
                    ps.setString(2, digest.toString());
                },
                rs -> rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty());
    }

    @Override
    public Map<Digest, Long> linkedBlobSizes(String repository, Collection<Digest> digests) {
        if (digests.isEmpty()) {
            return Map.of();
        }
        return read(c -> {
            Map<Digest, Long> found = new HashMap<>();
            Long id = repositoryId(c, repository);
            if (id == null) {
                return found;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT size FROM repository_blobs WHERE repository_id = ? AND digest = ?")) {
                for (Digest d : new HashSet<>(digests)) {
                    ps.setLong(1, id);
                    ps.setString(2, d.toString());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            found.put(d, rs.getLong(1));
                        }
                    }
                }
            }
            return found;
        });
    }

    @Override
    public List<String> repositoriesWithBlob(String namespace, Digest digest, int limit) {
        String prefix = namespace + "/";
        return db.list("SELECT r.name FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id "
                + "WHERE b.digest = ? AND substr(r.name, 1, ?) = ? ORDER BY r.name LIMIT ?", rs -> rs.getString(1),
                digest.toString(), prefix.length(), prefix, limit);
    }

    @Override
    public boolean unlinkBlob(String repository, Digest digest) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM repository_blobs WHERE digest = ? AND repository_id = "
                            + "(SELECT id FROM repositories WHERE name = ?)")) {
                ps.setString(1, digest.toString());
                ps.setString(2, repository);
                return ps.executeUpdate() > 0;
            }
        });
    }

    // --- manifests

    @Override
    public void putManifest(ManifestRecord m, List<String> tags) {
        write(c -> {
            long id = ensureRepository(c, m.repository());
            int inserted;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO manifests(repository_id, digest, media_type, size, config_digest, artifact_type, "
                            + "subject, annotations, total_size, created_at, pushed_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                            + "ON CONFLICT(repository_id, digest) DO NOTHING")) {
                ps.setLong(1, id);
                ps.setString(2, m.digest().toString());
                ps.setString(3, m.mediaType());
                ps.setLong(4, m.size());
                setNullable(ps, 5, m.configDigest());
                ps.setString(6, m.artifactType());
                setNullable(ps, 7, m.subject());
                ps.setString(8, m.annotationsJson());
                ps.setLong(9, m.totalSize());
                ps.setLong(10, m.created().toEpochMilli());
                ps.setLong(11, m.pushed().toEpochMilli());
                inserted = ps.executeUpdate();
            }
            if (inserted > 0 && !m.references().isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO manifest_references(repository_id, manifest_digest, position, digest) "
                                + "VALUES (?, ?, ?, ?)")) {
                    int position = 0;
                    for (Digest ref : m.references()) {
                        ps.setLong(1, id);
                        ps.setString(2, m.digest().toString());
                        ps.setInt(3, position++);
                        ps.setString(4, ref.toString());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            for (String tag : tags) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO tags(repository_id, name, digest, updated_at) VALUES (?, ?, ?, ?) "
                                + "ON CONFLICT(repository_id, name) DO UPDATE SET digest = excluded.digest, "
                                + "updated_at = excluded.updated_at")) {
                    ps.setLong(1, id);
                    ps.setString(2, tag);
                    ps.setString(3, m.digest().toString());
                    ps.setLong(4, System.currentTimeMillis());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private static final String MANIFEST_COLUMNS =
            "r.name, m.digest, m.media_type, m.size, m.config_digest, m.artifact_type, m.subject, "
                    + "m.annotations, m.total_size, m.created_at, m.pushed_at";

    private static ManifestRecord manifestRow(ResultSet rs) throws SQLException {
        return new ManifestRecord(
                rs.getString(1),
                Digest.parse(rs.getString(2)),
                rs.getString(3),
                rs.getLong(4),
                nullableDigest(rs.getString(5)),
                rs.getString(6),
                nullableDigest(rs.getString(7)),
                rs.getString(8),
                rs.getLong(9),
                Instant.ofEpochMilli(rs.getLong(10)),
                Instant.ofEpochMilli(rs.getLong(11)),
                List.of());
    }

    @Override
    public Optional<ManifestRecord> manifest(String repository, Digest digest) {
        return db.query("SELECT " + MANIFEST_COLUMNS
                + " FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE r.name = ? AND m.digest = ?",
                ps -> {
                    ps.setString(1, repository);
                    ps.setString(2, digest.toString());
                },
                rs -> rs.next() ? Optional.of(manifestRow(rs)) : Optional.empty());
    }

    @Override
    public Optional<ManifestRecord> manifestByTag(String repository, String tag) {
        return db.query("SELECT " + MANIFEST_COLUMNS
                + " FROM tags t JOIN repositories r ON r.id = t.repository_id "
                + "JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest "
                + "WHERE r.name = ? AND t.name = ?",
                ps -> {
                    ps.setString(1, repository);
                    ps.setString(2, tag);
                },
                rs -> rs.next() ? Optional.of(manifestRow(rs)) : Optional.empty());
    }

    @Override
    public boolean deleteManifest(String repository, Digest digest) {
        return write(c -> {
            Long id = repositoryId(c, repository);
            if (id == null) {
                return false;
            }
            String d = digest.toString();
            int removed;
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM manifests WHERE repository_id = ? AND digest = ?")) {
                ps.setLong(1, id);
                ps.setString(2, d);
                removed = ps.executeUpdate();
            }
            for (String sql : List.of("DELETE FROM tags WHERE repository_id = ? AND digest = ?",
                    "DELETE FROM manifest_references WHERE repository_id = ? AND manifest_digest = ?",
                    "DELETE FROM signatures WHERE repository_id = ? AND manifest_digest = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setLong(1, id);
                    ps.setString(2, d);
                    ps.executeUpdate();
                }
            }
            return removed > 0;
        });
    }

    @Override
    public boolean deleteTag(String repository, String tag) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE name = ? AND repository_id = "
                    + "(SELECT id FROM repositories WHERE name = ?)")) {
                ps.setString(1, tag);
                ps.setString(2, repository);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<String> tags(String repository, String last, int n) {
        return db.list("SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id "
                + "WHERE r.name = ? AND t.name > ? ORDER BY t.name LIMIT ?", rs -> rs.getString(1),
                repository, last == null ? "" : last, n);
    }

    @Override
    public List<ManifestRecord> referrers(String repository, Digest subject) {
        return db.list("SELECT " + MANIFEST_COLUMNS + " FROM manifests m JOIN repositories r ON r.id = m.repository_id "
                + "WHERE r.name = ? AND m.subject = ? ORDER BY m.pushed_at, m.digest", SqliteMetadataStore::manifestRow,
                repository, subject.toString());
    }

    @Override
    public Set<Digest> existingManifests(String repository, Collection<Digest> digests) {
        if (digests.isEmpty()) {
            return Set.of();
        }
        return read(c -> {
            Set<Digest> found = new HashSet<>();
            Long id = repositoryId(c, repository);
            if (id == null) {
                return found;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM manifests WHERE repository_id = ? AND digest = ?")) {
                for (Digest d : new HashSet<>(digests)) {
                    ps.setLong(1, id);
                    ps.setString(2, d.toString());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            found.add(d);
                        }
                    }
                }
            }
            return found;
        });
    }

    @Override
    public List<ImageRow> images(String prefix) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT r.name, t.name, m.digest, m.media_type, m.created_at, m.total_size "
                            + "FROM manifests m JOIN repositories r ON r.id = m.repository_id "
                            + "LEFT JOIN tags t ON t.repository_id = m.repository_id AND t.digest = m.digest "
                            + "WHERE substr(r.name, 1, length(?)) = ? "
                            + "ORDER BY r.name, t.name, m.digest")) {
                String p = prefix == null ? "" : prefix;
                ps.setString(1, p);
                ps.setString(2, p);
                List<ImageRow> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new ImageRow(rs.getString(1), rs.getString(2), Digest.parse(rs.getString(3)),
                                rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)), rs.getLong(6)));
                    }
                }
                return rows;
            }
        });
    }

    @Override
    public int deleteRepositories(String namespace) {
        String prefix = namespace + "/";
        return write(c -> {
            String ids = "(SELECT id FROM repositories WHERE substr(name, 1, ?) = ?)";
            for (String table : List.of("tags", "manifest_references", "signatures", "manifests", "repository_blobs")) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE repository_id IN " + ids)) {
                    ps.setInt(1, prefix.length());
                    ps.setString(2, prefix);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM repositories WHERE substr(name, 1, ?) = ?")) {
                ps.setInt(1, prefix.length());
                ps.setString(2, prefix);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean addSignature(String repository, Digest manifest, Signature signature) {
        return write(c -> {
            Long id = repositoryId(c, repository);
            if (id == null) {
                return false;
            }
            int next = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT position, content FROM signatures "
                    + "WHERE repository_id = ? AND manifest_digest = ? ORDER BY position")) {
                ps.setLong(1, id);
                ps.setString(2, manifest.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (java.util.Arrays.equals(rs.getBytes(2), signature.content())) {
                            return false;
                        }
                        next = rs.getInt(1) + 1;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO signatures(repository_id, manifest_digest, "
                    + "position, name, type, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, id);
                ps.setString(2, manifest.toString());
                ps.setInt(3, next);
                ps.setString(4, signature.name());
                ps.setString(5, signature.type());
                ps.setBytes(6, signature.content());
                ps.setLong(7, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public List<Signature> signatures(String repository, Digest manifest) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT s.name, s.type, s.content FROM signatures s "
                    + "JOIN repositories r ON r.id = s.repository_id WHERE r.name = ? AND s.manifest_digest = ? "
                    + "ORDER BY s.position")) {
                ps.setString(1, repository);
                ps.setString(2, manifest.toString());
                List<Signature> list = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(new Signature(rs.getString(1), rs.getString(2), rs.getBytes(3)));
                    }
                }
                return list;
            }
        });
    }

    // --- uploads

    @Override
    public void createUpload(UploadSession session) {
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO uploads(id, repository, owner, started_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, session.id());
                ps.setString(2, session.repository());
                ps.setString(3, session.owner());
                ps.setLong(4, session.started().toEpochMilli());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<UploadSession> upload(String id) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, repository, started_at FROM uploads WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new UploadSession(rs.getString(1), rs.getString(2),
                                    Instant.ofEpochMilli(rs.getLong(3))))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean deleteUpload(String id) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM uploads WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int openUploadsIn(String repository) {
        return db.list("SELECT COUNT(*) FROM uploads WHERE repository = ?", rs -> rs.getInt(1), repository).get(0);
    }

    @Override
    public int openUploadsBy(String owner) {
        return db.list("SELECT COUNT(*) FROM uploads WHERE owner = ?", rs -> rs.getInt(1), owner).get(0);
    }

    @Override
    public List<UploadSession> uploadsStartedBefore(Instant cutoff) {
        return db.list("SELECT id, repository, started_at FROM uploads WHERE started_at < ?",
                rs -> new UploadSession(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))),
                cutoff.toEpochMilli());
    }

    @Override
    public void close() {
        if (ownsDatabase) {
            db.close();
        }
    }

    private static void setNullable(PreparedStatement ps, int index, Digest digest) throws SQLException {
        if (digest == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, digest.toString());
        }
    }

    private static Digest nullableDigest(String text) {
        return text == null ? null : Digest.parse(text);
    }
}
