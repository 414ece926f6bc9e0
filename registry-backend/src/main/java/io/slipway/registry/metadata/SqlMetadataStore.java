package io.slipway.registry.metadata;

import io.slipway.oci.Digest;
import io.slipway.registry.metadata.SqlDatabase.Row;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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

/**
 * Registry metadata in a SQL database: the embedded SQLite file of one node or the PostgreSQL
 * database several nodes share. The statements are portable (as in {@code SqlTenancyStore}):
 * {@code ON CONFLICT … DO NOTHING / DO UPDATE}, {@code IN (?, …)} lists, {@code substr} for
 * prefixes, {@code NULLS FIRST}; what truly differs between the two is behind {@link SqlDatabase}.
 *
 * <p>Where nodes can race, a write locks the repository's row first ({@link SqlDatabase#rowLock}):
 * {@code FOR UPDATE} for manifests, tags, signatures and namespace deletion (so that a tag can
 * never be left pointing at a manifest another node deleted meanwhile, and signature positions are
 * handed out once), and {@code FOR SHARE} for linking blobs (which may run side by side). Locks are
 * always taken in that order, repository first, so two nodes cannot deadlock on them. SQLite has
 * one writer, whose transactions are serialized already, and takes no row locks.
 */
public final class SqlMetadataStore implements MetadataStore {
    /** How many values one {@code IN (?, …)} list binds: well under either database's limit. */
    private static final int IN_LIST = 500;

    private final SqlDatabase db;
    private final boolean ownsDatabase;

    /** A store over a database shared with other stores; closing the store leaves it open when not owned. */
    public SqlMetadataStore(SqlDatabase db, boolean ownsDatabase) {
        this.db = db;
        this.ownsDatabase = ownsDatabase;
    }

    private static String text(Digest d) {
        return d == null ? null : d.toString();
    }

    private static Digest digest(String s) {
        return s == null ? null : Digest.parse(s);
    }

    /**
     * The length SQL's {@code substr} counts for {@code text}: characters (code points), not Java's
     * UTF-16 units. {@code substr(name, 1, length) = prefix} is the portable "starts with".
     */
    private static int sqlLength(String text) {
        return text.codePointCount(0, text.length());
    }

    /** {@code (?, ?, …)} for {@code n} values. */
    private static String placeholders(int n) {
        return "(" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
    }

    /** The distinct values split into lists of at most {@link #IN_LIST}, one {@code IN (…)} each. */
    private static <T> List<List<T>> chunks(Collection<T> values) {
        List<T> all = List.copyOf(new java.util.LinkedHashSet<>(values));
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += IN_LIST) {
            chunks.add(all.subList(i, Math.min(all.size(), i + IN_LIST)));
        }
        return chunks;
    }

    /** {@code first} followed by {@code rest}, as positional arguments. */
    private static Object[] args(Object first, List<?> rest) {
        List<Object> args = new ArrayList<>();
        args.add(first);
        args.addAll(rest);
        return args.toArray();
    }

    /**
     * The repository's id, creating the repository when needed, with its row locked
     * ({@code FOR UPDATE} or {@code FOR SHARE}) until the transaction ends.
     */
    private long lockRepository(Connection c, String repository, String lock) throws SQLException {
        // A concurrent namespace deletion can remove the row between the insert and the lock; then
        // the insert simply happens again.
        for (int attempt = 0; attempt < 5; attempt++) {
            Long id = lockExisting(c, repository, lock);
            if (id != null) {
                return id;
            }
            SqlDatabase.update(c, "INSERT INTO repositories(name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    repository, System.currentTimeMillis());
        }
        throw new SQLException("repository " + repository + " keeps being deleted while written");
    }

    /** The id of an existing repository with its row locked ({@code lock}), or null. */
    private Long lockExisting(Connection c, String repository, String lock) throws SQLException {
        List<Long> id = SqlDatabase.list(c, "SELECT id FROM repositories WHERE name = ?" + db.rowLock(lock),
                rs -> rs.getLong(1), repository);
        return id.isEmpty() ? null : id.get(0);
    }

    /**
     * Raises the change counter within the transaction of a change that may make a cached answer
     * wrong. Always the last lock a transaction takes, so it adds no lock-order cycle. Public for the
     * writers beside this store that remove what it caches (the garbage collector's unlinking).
     */
    public static void changed(Connection c) throws SQLException {
        SqlDatabase.update(c, "UPDATE metadata_changes SET counter = counter + 1 WHERE id = 1");
    }

    @Override
    public long changeCount() {
        return db.one("SELECT counter FROM metadata_changes WHERE id = 1", rs -> rs.getLong(1)).orElse(0L);
    }

    // --- repositories

    @Override
    public boolean repositoryExists(String repository) {
        return db.one("SELECT 1 FROM repositories WHERE name = ?", rs -> 1, repository).isPresent();
    }

    @Override
    public List<String> repositories(String last, int n) {
        return db.list("SELECT name FROM repositories WHERE name > ? ORDER BY name LIMIT ?", rs -> rs.getString(1),
                last == null ? "" : last, n);
    }

    // --- blobs

    @Override
    public void linkBlob(String repository, Digest digest, long size) {
        db.write(c -> {
            long id = lockRepository(c, repository, "FOR SHARE");
            return SqlDatabase.update(c, "INSERT INTO repository_blobs(repository_id, digest, size) VALUES (?, ?, ?) "
                    + "ON CONFLICT (repository_id, digest) DO NOTHING", id, digest.toString(), size);
        });
    }

    @Override
    public OptionalLong linkedBlobSize(String repository, Digest digest) {
        return db.one("SELECT b.size FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id "
                + "WHERE r.name = ? AND b.digest = ?", rs -> rs.getLong(1), repository, digest.toString())
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    @Override
    public Map<Digest, Long> linkedBlobSizes(String repository, Collection<Digest> digests) {
        if (digests.isEmpty()) {
            return Map.of();
        }
        Map<Digest, Long> found = new HashMap<>();
        for (List<String> chunk : chunks(digests.stream().map(Digest::toString).toList())) {
            for (Map.Entry<Digest, Long> e : db.read(c -> SqlDatabase.list(c, "SELECT b.digest, b.size "
                    + "FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id WHERE r.name = ? "
                    + "AND b.digest IN " + placeholders(chunk.size()),
                    rs -> Map.entry(Digest.parse(rs.getString(1)), rs.getLong(2)), args(repository, chunk)))) {
                found.put(e.getKey(), e.getValue());
            }
        }
        return found;
    }

    @Override
    public List<String> repositoriesWithBlob(String namespace, Digest digest, int limit) {
        String prefix = namespace + "/";
        return db.list("SELECT r.name FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id "
                + "WHERE b.digest = ? AND substr(r.name, 1, ?) = ? ORDER BY r.name LIMIT ?", rs -> rs.getString(1),
                digest.toString(), sqlLength(prefix), prefix, limit);
    }

    @Override
    public boolean unlinkBlob(String repository, Digest digest) {
        return db.write(c -> {
            boolean removed = SqlDatabase.update(c, "DELETE FROM repository_blobs WHERE digest = ? AND repository_id = "
                    + "(SELECT id FROM repositories WHERE name = ?)", digest.toString(), repository) > 0;
            if (removed) {
                changed(c);
            }
            return removed;
        });
    }

    // --- manifests

    @Override
    public void putManifest(ManifestRecord m, List<String> tags, Alongside alongside) {
        db.write(c -> {
            long id = lockRepository(c, m.repository(), "FOR UPDATE");
            int inserted = SqlDatabase.update(c, "INSERT INTO manifests(repository_id, digest, media_type, size, config_digest, "
                    + "artifact_type, subject, annotations, total_size, created_at, pushed_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, digest) DO NOTHING",
                    id, m.digest().toString(), m.mediaType(), m.size(), text(m.configDigest()), m.artifactType(),
                    text(m.subject()), m.annotationsJson(), m.totalSize(), m.created().toEpochMilli(),
                    m.pushed().toEpochMilli());
            if (inserted > 0 && !m.references().isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO manifest_references(repository_id, "
                        + "manifest_digest, position, digest) VALUES (?, ?, ?, ?)")) {
                    int position = 0;
                    for (Digest ref : m.references()) {
                        SqlDatabase.bind(ps, id, m.digest().toString(), position++, ref.toString());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            // the manifests whose listing tag these writes may change: this one, and those the tags leave
            Set<String> relisted = new java.util.LinkedHashSet<>();
            if (inserted > 0 || !tags.isEmpty()) {
                relisted.add(m.digest().toString());
            }
            for (List<String> chunk : chunks(tags)) {
                relisted.addAll(SqlDatabase.list(c, "SELECT digest FROM tags WHERE repository_id = ? AND name IN "
                        + placeholders(chunk.size()), rs -> rs.getString(1), args(id, chunk)));
            }
            long now = System.currentTimeMillis();
            for (String tag : tags) {
                SqlDatabase.update(c, "INSERT INTO tags(repository_id, name, digest, updated_at) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (repository_id, name) DO UPDATE SET digest = excluded.digest, "
                        + "updated_at = excluded.updated_at", id, tag, m.digest().toString(), now);
            }
            relist(c, id, relisted);
            if (!tags.isEmpty()) {
                changed(c);
            }
            alongside.write(c);
            return null;
        });
    }

    private static final String MANIFEST_COLUMNS =
            "r.name, m.digest, m.media_type, m.size, m.config_digest, m.artifact_type, m.subject, "
                    + "m.annotations, m.total_size, m.created_at, m.pushed_at";

    private static final Row<ManifestRecord> MANIFEST = rs -> new ManifestRecord(
            rs.getString(1),
            Digest.parse(rs.getString(2)),
            rs.getString(3),
            rs.getLong(4),
            digest(rs.getString(5)),
            rs.getString(6),
            digest(rs.getString(7)),
            rs.getString(8),
            rs.getLong(9),
            Instant.ofEpochMilli(rs.getLong(10)),
            Instant.ofEpochMilli(rs.getLong(11)),
            List.of());

    @Override
    public Optional<ManifestRecord> manifest(String repository, Digest digest) {
        return db.one("SELECT " + MANIFEST_COLUMNS + " FROM manifests m JOIN repositories r ON r.id = m.repository_id "
                + "WHERE r.name = ? AND m.digest = ?", MANIFEST, repository, digest.toString());
    }

    @Override
    public Optional<ManifestRecord> manifestByTag(String repository, String tag) {
        return db.one("SELECT " + MANIFEST_COLUMNS + " FROM tags t JOIN repositories r ON r.id = t.repository_id "
                + "JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest "
                + "WHERE r.name = ? AND t.name = ?", MANIFEST, repository, tag);
    }

    @Override
    public boolean deleteManifest(String repository, Digest digest, Alongside alongside) {
        return db.write(c -> {
            Long id = lockExisting(c, repository, "FOR UPDATE");
            if (id == null) {
                return false;
            }
            String d = digest.toString();
            int removed = SqlDatabase.update(c, "DELETE FROM manifests WHERE repository_id = ? AND digest = ?", id, d);
            SqlDatabase.update(c, "DELETE FROM tags WHERE repository_id = ? AND digest = ?", id, d);
            SqlDatabase.update(c, "DELETE FROM manifest_references WHERE repository_id = ? AND manifest_digest = ?", id, d);
            SqlDatabase.update(c, "DELETE FROM signatures WHERE repository_id = ? AND manifest_digest = ?", id, d);
            if (removed > 0) {
                changed(c);
                alongside.write(c);
            }
            return removed > 0;
        });
    }

    @Override
    public boolean deleteTag(String repository, String tag, Alongside alongside) {
        return db.write(c -> {
            // locked like every other tag write, so the manifest's listing tag is computed from its final tags
            Long id = lockExisting(c, repository, "FOR UPDATE");
            if (id == null) {
                return false;
            }
            List<String> digest = SqlDatabase.list(c, "SELECT digest FROM tags WHERE repository_id = ? AND name = ?",
                    rs -> rs.getString(1), id, tag);
            if (digest.isEmpty()) {
                return false;
            }
            SqlDatabase.update(c, "DELETE FROM tags WHERE repository_id = ? AND name = ?", id, tag);
            relist(c, id, digest);
            changed(c);
            alongside.write(c);
            return true;
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
                + "WHERE r.name = ? AND m.subject = ? ORDER BY m.pushed_at, m.digest", MANIFEST, repository,
                subject.toString());
    }

    @Override
    public Set<Digest> existingManifests(String repository, Collection<Digest> digests) {
        if (digests.isEmpty()) {
            return Set.of();
        }
        Set<Digest> found = new HashSet<>();
        for (List<String> chunk : chunks(digests.stream().map(Digest::toString).toList())) {
            found.addAll(db.read(c -> SqlDatabase.list(c, "SELECT m.digest FROM manifests m "
                    + "JOIN repositories r ON r.id = m.repository_id WHERE r.name = ? AND m.digest IN "
                    + placeholders(chunk.size()), rs -> Digest.parse(rs.getString(1)), args(repository, chunk))));
        }
        return found;
    }

    @Override
    public List<ImageRow> images(String prefix) {
        String p = prefix == null ? "" : prefix;
        // NULLS FIRST: SQLite sorts nulls first by default, PostgreSQL last; untagged images lead.
        return db.list("SELECT r.name, t.name, m.digest, m.media_type, m.created_at, m.total_size, m.artifact_type "
                + "FROM manifests m JOIN repositories r ON r.id = m.repository_id "
                + "LEFT JOIN tags t ON t.repository_id = m.repository_id AND t.digest = m.digest "
                + "WHERE substr(r.name, 1, ?) = ? ORDER BY r.name, t.name NULLS FIRST, m.digest",
                rs -> new ImageRow(rs.getString(1), rs.getString(2), Digest.parse(rs.getString(3)), rs.getString(4),
                        Instant.ofEpochMilli(rs.getLong(5)), rs.getLong(6), rs.getString(7)),
                sqlLength(p), p);
    }

    // --- the console's paged listing

    /** A tag cosign attaches to an image ({@code sha256-<hex>.sig|.att|.sbom}): not a tag of an image of its own. */
    private static final String COSIGN_TAG = "(length(t.name) IN (75, 76) AND (t.name LIKE 'sha256-%.sig' "
            + "OR t.name LIKE 'sha256-%.att' OR t.name LIKE 'sha256-%.sbom'))";
    private static final String TAGS_OF_M = "FROM tags t WHERE t.repository_id = m.repository_id AND t.digest = m.digest";
    /**
     * A manifest's listing tag (migration V16 computes it with the same expression): its lowest tag other
     * than cosign's; '' when it is untagged and refers to nothing (an untagged image of its own); NULL
     * when it is not an image of its own (a signature, an attestation, another referrer).
     */
    private static final String LISTING_TAG = "COALESCE((SELECT MIN(t.name) " + TAGS_OF_M + " AND NOT " + COSIGN_TAG
            + "), CASE WHEN m.subject IS NULL AND NOT EXISTS (SELECT 1 " + TAGS_OF_M + ") THEN '' END)";
    /** An image of its own: tagged (other than by cosign), or untagged and referring to nothing. */
    private static final String AN_IMAGE = "m.listing_tag IS NOT NULL";

    /**
     * Recomputes the listing tag of the repository's manifests {@code digests}, in the transaction that
     * changed their tags (or added them), after the change: the listings read the column, not the tags.
     */
    private static void relist(Connection c, long repositoryId, Collection<String> digests) throws SQLException {
        for (List<String> chunk : chunks(digests)) {
            SqlDatabase.update(c, "UPDATE manifests AS m SET listing_tag = " + LISTING_TAG + " WHERE m.repository_id = ? "
                    + "AND m.digest IN " + placeholders(chunk.size()), args(repositoryId, chunk));
        }
    }

    @Override
    public Map<String, Long> repositoryIds(String prefix) {
        String p = prefix == null ? "" : prefix;
        Map<String, Long> ids = new java.util.LinkedHashMap<>();
        db.list("SELECT name, id FROM repositories WHERE substr(name, 1, ?) = ? ORDER BY name",
                rs -> ids.put(rs.getString(1), rs.getLong(2)), sqlLength(p), p);
        return ids;
    }

    /**
     * The SQL of one listing: what {@link #imagePage} runs, and what {@code bench/console-bench.sh} asks
     * the database to EXPLAIN. {@code select} takes the arguments then LIMIT and OFFSET; {@code count}
     * the arguments alone.
     */
    public record ListingSql(String select, String count, List<Object> args) {
        /** The count that stops after as many images as one more argument (after {@code args}) says. */
        public String stoppingCount() {
            return "SELECT COUNT(*) FROM (SELECT 1" + count.substring("SELECT COUNT(*)".length()) + " LIMIT ?) capped";
        }
    }

    /** The listing's SQL, or null when it is empty whatever the database holds (no repository allowed). */
    public static ListingSql listingSql(ImageQuery q) {
        if (q.repositoryIds() != null && q.repositoryIds().isEmpty()) {
            return null;
        }
        String p = q.prefix() == null ? "" : q.prefix();
        List<Object> args = new ArrayList<>();
        // SQLite joins a CROSS JOIN in the order written (PostgreSQL reorders it as any join): the table
        // whose index gives the sort's order comes first, so SQLite walks that index and leaves after the
        // page whatever other index a condition offers (the range of names below would otherwise lead it
        // to start from the repositories and sort every image).
        boolean byName = q.sort().equals("repository") || q.sort().equals("namespace");
        StringBuilder where = new StringBuilder(byName ? " FROM repositories r CROSS JOIN manifests m"
                : " FROM manifests m CROSS JOIN repositories r");
        where.append(" WHERE r.id = m.repository_id AND ");
        int last = p.isEmpty() ? -1 : p.codePointBefore(p.length());
        if (p.isEmpty() || q.repositoryIds() != null) {
            // Repositories named by id were chosen under the prefix already (ImageApi.listing): naming it
            // again only misleads PostgreSQL, whose generic plan of a prepared statement guesses that a
            // range of bound names matches a few rows, then sorts every image instead of walking the index.
            where.append("1 = 1");
        } else if (last < Character.MAX_CODE_POINT && !Character.isHighSurrogate((char) (last + 1))) {
            // "starts with" as a range of names (both databases compare names by code point: SQLite's
            // BINARY, PostgreSQL's COLLATE "C"), which the planners estimate from their statistics; the
            // opaque substr(...) = ? they guess matches a few rows, and PostgreSQL then sorts every image
            // rather than walk the sort's index.
            where.append("r.name >= ? AND r.name < ?");
            args.add(p);
            args.add(p.substring(0, p.length() - Character.charCount(last)) + new String(Character.toChars(last + 1)));
        } else {
            where.append("substr(r.name, 1, ?) = ?");
            args.add(sqlLength(p));
            args.add(p);
        }
        where.append(" AND ").append(AN_IMAGE);
        if (q.repositoryIds() != null) {
            List<Long> ids = List.copyOf(new java.util.LinkedHashSet<>(q.repositoryIds()));
            // A filter, not where the walk starts: the unary plus keeps SQLite from driving the query by
            // this list (then sorting every image of the account) rather than by the sort's index, which
            // it walks in order and leaves after the page. PostgreSQL reads it as the plain column.
            where.append(" AND +m.repository_id IN ").append(placeholders(ids.size()));
            args.addAll(ids);
        }
        if (q.search() != null && !q.search().isBlank()) {
            String like = "%" + q.search().toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                    .replace("_", "\\_") + "%";
            where.append(" AND (lower(r.name) LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 ").append(TAGS_OF_M)
                    .append(" AND NOT ").append(COSIGN_TAG).append(" AND lower(t.name) LIKE ? ESCAPE '\\'))");
            args.add(like);
            args.add(like);
        }
        String dir = q.ascending() ? " ASC" : " DESC";
        // Each order is total (ties broken down to the digest, so pages neither repeat nor skip an image)
        // and the order of an index: created and size by manifests_by_created / manifests_by_size (V14),
        // the first tag by manifests_by_tag (V16), repository and namespace (a repository's name starts
        // with its namespace) by the repositories' names, then each one's manifests by digest.
        String order = switch (q.sort()) {
            case "size" -> "m.total_size" + dir + ", m.repository_id" + dir + ", m.digest" + dir;
            case "repository", "namespace" -> "r.name" + dir + ", m.digest" + dir;
            case "tags" -> "m.listing_tag" + dir + ", m.repository_id" + dir + ", m.digest" + dir;
            default -> "m.created_at" + dir + ", m.repository_id" + dir + ", m.digest" + dir;
        };
        return new ListingSql("SELECT m.repository_id, r.name, m.digest, m.media_type, m.created_at, m.total_size"
                + where + " ORDER BY " + order + " LIMIT ? OFFSET ?", "SELECT COUNT(*)" + where, args);
    }

    @Override
    public int imageCount(ImageQuery q) {
        ListingSql sql = listingSql(q);
        return sql == null ? 0 : db.one(sql.count(), rs -> rs.getInt(1), sql.args().toArray()).orElse(0);
    }

    @Override
    public ImagePage imagePage(ImageQuery q, int countAtMost) {
        ListingSql sql = listingSql(q);
        if (sql == null) {
            return new ImagePage(List.of(), 0);
        }
        // The total and the page are two queries: the page walks an index and stops after its rows,
        // which a total riding on each row (COUNT(*) OVER ()) prevented by making every row be read and
        // sorted; the count reads the manifests' listing tags (V16) and stops after countAtMost + 1
        // images, so its cost follows the pages shown, not the account. It runs first: knowing the total,
        // a page past the end is the last page, and a page in the second half is read from the other end.
        int total;
        boolean more = false;
        if (countAtMost == Integer.MAX_VALUE) {
            total = db.one(sql.count(), rs -> rs.getInt(1), sql.args().toArray()).orElse(0);
        } else {
            List<Object> args = new ArrayList<>(sql.args());
            args.add(countAtMost + 1);
            total = db.one(sql.stoppingCount(), rs -> rs.getInt(1), args.toArray()).orElse(0);
            if (total > countAtMost) {
                total = countAtMost;
                more = true;
            }
        }
        int limit = Math.max(0, q.limit());
        int offset = Math.max(0, q.offset());
        if (total == 0 || limit == 0) {
            return new ImagePage(List.of(), total, more);
        }
        if (!more && offset >= total) {
            offset = (total - 1) / limit * limit; // beyond the end: the last page
        }
        List<Object[]> rows;
        if (!more && offset > total / 2) {
            // An index walk reads and skips the offset's rows before the page: from the nearer end, the
            // last pages of 10,000 images skip a few rows, not 9,950. Same order reversed, then turned back.
            ListingSql reversed = listingSql(new ImageQuery(q.prefix(), q.repositoryIds(), q.search(), q.sort(),
                    !q.ascending(), 0, 0));
            int end = Math.min(total, offset + limit);
            rows = new ArrayList<>(page(reversed.select(), reversed.args(), end - offset, total - end));
            java.util.Collections.reverse(rows);
        } else {
            rows = page(sql.select(), sql.args(), limit, offset);
            if (rows.isEmpty() && offset > 0) {
                // past the end of a listing whose count stopped early (or that shrank meanwhile): the last page
                int all = db.one(sql.count(), rs -> rs.getInt(1), sql.args().toArray()).orElse(0);
                if (all > 0) {
                    rows = page(sql.select(), sql.args(), limit, (all - 1) / limit * limit);
                }
            }
        }
        if (rows.isEmpty()) {
            return new ImagePage(List.of(), total, more);
        }
        // every tag of the page's images, in one query
        Map<String, List<String>> tags = new HashMap<>();
        Set<Long> ids = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (Object[] r : rows) {
            ids.add((Long) r[0]);
            digests.add((String) r[2]);
        }
        List<Object> tagArgs = new ArrayList<>(ids);
        tagArgs.addAll(digests);
        db.list("SELECT t.repository_id, t.digest, t.name FROM tags t WHERE t.repository_id IN " + placeholders(ids.size())
                + " AND t.digest IN " + placeholders(digests.size()) + " AND NOT " + COSIGN_TAG + " ORDER BY t.name",
                rs -> tags.computeIfAbsent(rs.getLong(1) + "@" + rs.getString(2), k -> new ArrayList<>())
                        .add(rs.getString(3)), tagArgs.toArray());
        List<ImageGroup> images = new ArrayList<>();
        for (Object[] r : rows) {
            images.add(new ImageGroup((Long) r[0], (String) r[1], Digest.parse((String) r[2]), (String) r[3],
                    Instant.ofEpochMilli((Long) r[4]), (Long) r[5], List.copyOf(tags.getOrDefault(r[0] + "@" + r[2],
                    List.of()))));
        }
        return new ImagePage(images, total, more);
    }

    private List<Object[]> page(String sql, List<Object> args, int limit, int offset) {
        List<Object> all = new ArrayList<>(args);
        all.add(limit);
        all.add(offset);
        return db.list(sql, rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getLong(5), rs.getLong(6)}, all.toArray());
    }

    @Override
    public List<Attachment> attachments(Map<Long, ? extends Collection<Digest>> images) {
        List<Attachment> out = new ArrayList<>();
        if (images.isEmpty()) {
            return out;
        }
        List<Object> ids = new ArrayList<>(images.keySet());
        Set<String> digests = new java.util.LinkedHashSet<>();
        Set<String> cosignTags = new java.util.LinkedHashSet<>();
        Set<String> wanted = new HashSet<>();
        images.forEach((id, list) -> list.forEach(d -> {
            digests.add(d.toString());
            wanted.add(id + "@" + d);
            for (String kind : List.of("sig", "att", "sbom")) {
                cosignTags.add(d.tagForm() + "." + kind);
            }
        }));
        db.read(c -> {
            List<Object> a = new ArrayList<>(ids);
            a.addAll(cosignTags);
            for (Object[] row : SqlDatabase.list(c, "SELECT t.repository_id, t.name FROM tags t WHERE t.repository_id IN "
                    + placeholders(ids.size()) + " AND t.name IN " + placeholders(cosignTags.size()),
                    rs -> new Object[] {rs.getLong(1), rs.getString(2)}, a.toArray())) {
                String name = (String) row[1];
                int dot = name.lastIndexOf('.');
                Digest subject = Digest.parse("sha256:" + name.substring(7, dot));
                if (wanted.contains(row[0] + "@" + subject)) {
                    out.add(new Attachment((Long) row[0], subject, name.substring(dot + 1), name));
                }
            }
            a = new ArrayList<>(ids);
            a.addAll(digests);
            for (Object[] row : SqlDatabase.list(c, "SELECT m.repository_id, m.subject, COALESCE(m.artifact_type, "
                    + "m.media_type) FROM manifests m WHERE m.repository_id IN " + placeholders(ids.size())
                    + " AND m.subject IN " + placeholders(digests.size()) + " ORDER BY m.pushed_at, m.digest",
                    rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3)}, a.toArray())) {
                if (wanted.contains(row[0] + "@" + row[1])) {
                    out.add(new Attachment((Long) row[0], Digest.parse((String) row[1]), "referrer", (String) row[2]));
                }
            }
            for (Object[] row : SqlDatabase.list(c, "SELECT s.repository_id, s.manifest_digest, s.name FROM signatures s "
                    + "WHERE s.repository_id IN " + placeholders(ids.size()) + " AND s.manifest_digest IN "
                    + placeholders(digests.size()) + " ORDER BY s.position",
                    rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3)}, a.toArray())) {
                if (wanted.contains(row[0] + "@" + row[1])) {
                    out.add(new Attachment((Long) row[0], Digest.parse((String) row[1]), "simple", (String) row[2]));
                }
            }
            return null;
        });
        return out;
    }

    @Override
    public int deleteRepositories(String namespace) {
        String prefix = namespace + "/";
        return db.write(c -> {
            // The ids locked here, not a subquery run again per table: a repository another node
            // creates meanwhile is either wholly kept or was locked here, never half deleted.
            List<Long> ids = SqlDatabase.list(c, "SELECT id FROM repositories WHERE substr(name, 1, ?) = ? ORDER BY id"
                    + db.rowLock("FOR UPDATE"), rs -> rs.getLong(1), sqlLength(prefix), prefix);
            int deleted = 0;
            for (List<Long> chunk : chunks(ids)) {
                Object[] args = chunk.toArray();
                for (String table : List.of("tags", "manifest_references", "signatures", "manifests", "repository_blobs")) {
                    SqlDatabase.update(c, "DELETE FROM " + table + " WHERE repository_id IN " + placeholders(args.length),
                            args);
                }
                deleted += SqlDatabase.update(c, "DELETE FROM repositories WHERE id IN " + placeholders(args.length),
                        args);
            }
            if (deleted > 0) {
                changed(c);
            }
            return deleted;
        });
    }

    // --- signatures

    @Override
    public boolean addSignature(String repository, Digest manifest, Signature signature) {
        return db.write(c -> {
            Long id = lockExisting(c, repository, "FOR UPDATE");
            if (id == null) {
                return false;
            }
            int next = 0;
            for (Object[] row : SqlDatabase.list(c, "SELECT position, content FROM signatures WHERE repository_id = ? "
                    + "AND manifest_digest = ? ORDER BY position", rs -> new Object[] {rs.getInt(1), rs.getBytes(2)},
                    id, manifest.toString())) {
                if (java.util.Arrays.equals((byte[]) row[1], signature.content())) {
                    return false;
                }
                next = (Integer) row[0] + 1;
            }
            // content is BLOB in SQLite, BYTEA in PostgreSQL: both take and give a byte[].
            SqlDatabase.update(c, "INSERT INTO signatures(repository_id, manifest_digest, position, name, type, content, "
                    + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", id, manifest.toString(), next, signature.name(),
                    signature.type(), signature.content(), System.currentTimeMillis());
            return true;
        });
    }

    @Override
    public List<Signature> signatures(String repository, Digest manifest) {
        return db.list("SELECT s.name, s.type, s.content FROM signatures s JOIN repositories r ON r.id = s.repository_id "
                + "WHERE r.name = ? AND s.manifest_digest = ? ORDER BY s.position",
                rs -> new Signature(rs.getString(1), rs.getString(2), rs.getBytes(3)), repository, manifest.toString());
    }

    // --- uploads

    private static final Row<UploadSession> UPLOAD = rs -> new UploadSession(rs.getString(1), rs.getString(2),
            Instant.ofEpochMilli(rs.getLong(3)));

    @Override
    public void createUpload(UploadSession session) {
        db.write(c -> SqlDatabase.update(c, "INSERT INTO uploads(id, repository, owner, started_at) VALUES (?, ?, ?, ?)",
                session.id(), session.repository(), session.owner(), session.started().toEpochMilli()));
    }

    @Override
    public Optional<UploadSession> upload(String id) {
        return db.one("SELECT id, repository, started_at FROM uploads WHERE id = ?", UPLOAD, id);
    }

    @Override
    public void finishUpload(String id, String repository, Digest digest, long size) {
        db.write(c -> {
            long repo = lockRepository(c, repository, "FOR SHARE");
            SqlDatabase.update(c, "INSERT INTO repository_blobs(repository_id, digest, size) VALUES (?, ?, ?) "
                    + "ON CONFLICT (repository_id, digest) DO NOTHING", repo, digest.toString(), size);
            return SqlDatabase.update(c, "DELETE FROM uploads WHERE id = ?", id);
        });
    }

    @Override
    public boolean deleteUpload(String id) {
        return db.write(c -> SqlDatabase.update(c, "DELETE FROM uploads WHERE id = ?", id) > 0);
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
        return db.list("SELECT id, repository, started_at FROM uploads WHERE started_at < ?", UPLOAD,
                cutoff.toEpochMilli());
    }

    @Override
    public void close() {
        if (ownsDatabase) {
            db.close();
        }
    }
}
