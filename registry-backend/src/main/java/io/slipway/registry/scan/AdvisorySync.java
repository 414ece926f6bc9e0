package io.slipway.registry.scan;

import io.slipway.oci.Digest;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.storage.BlobContent;
import io.slipway.registry.storage.BlobStore;
import io.slipway.va.advisory.AdvisoryDatabase;
import io.slipway.va.advisory.DatabaseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the advisory database the same on every node sharing a metadata database and blob store.
 * Each node scans with a local SQLite copy (lookups stay local and fast); an import on any node
 * is published as a snapshot blob with a row in {@code advisory_databases}, and the other nodes
 * load the newest row. Which side is newer is decided by the import time the database records,
 * so a node that starts with an old file loads the cluster's, and a node where an operator just
 * imported publishes it.
 */
public final class AdvisorySync {
    private static final Logger LOG = LoggerFactory.getLogger(AdvisorySync.class);

    /** One published snapshot. */
    record Published(String version, Digest digest, long size, String importedAt) {
    }

    private final SqlDatabase db;
    private final BlobStore blobs;
    private final AdvisoryDatabase advisories;
    private final Path work;
    private final String node;

    /**
     * @param work a folder of this node's for snapshots in transit
     * @param node this node's name, recorded with what it publishes
     */
    public AdvisorySync(SqlDatabase db, BlobStore blobs, AdvisoryDatabase advisories, Path work, String node) {
        this.db = db;
        this.blobs = blobs;
        this.advisories = advisories;
        this.work = work;
        this.node = node;
    }

    /** Publishes the local database or loads the cluster's, whichever is newer; true when the local one changed. */
    public boolean sync() throws IOException {
        DatabaseStatus local = advisories.status();
        String localVersion = ScanService.version(local);
        Published latest = latest();
        if (latest != null && latest.version().equals(localVersion)) {
            return false;
        }
        String localImport = lastImport(local);
        if (latest == null || localImport.compareTo(latest.importedAt()) > 0) {
            if (!local.sources().isEmpty()) {
                publish(localVersion, localImport);
            }
            return false;
        }
        load(latest);
        return true;
    }

    Published latest() {
        List<Published> rows = db.list("SELECT version, digest, size, imported_at FROM advisory_databases "
                + "ORDER BY id DESC LIMIT 1", rs -> new Published(rs.getString(1), Digest.parse(rs.getString(2)),
                rs.getLong(3), rs.getString(4)));
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The newest import time the database records (ISO-8601 instants sort as text). */
    private static String lastImport(DatabaseStatus status) {
        return status.sources().stream().map(DatabaseStatus.SourceStatus::lastImport).max(String::compareTo).orElse("");
    }

    private void publish(String version, String importedAt) throws IOException {
        Files.createDirectories(work);
        Path snapshot = work.resolve("advisories-" + UUID.randomUUID() + ".db");
        try {
            advisories.snapshot(snapshot);
            Digest digest = store(snapshot);
            long size = Files.size(snapshot);
            db.write(c -> {
                try (var ps = c.prepareStatement("INSERT INTO advisory_databases(version, digest, size, imported_at, "
                        + "published_by, published_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, version);
                    ps.setString(2, digest.toString());
                    ps.setLong(3, size);
                    ps.setString(4, importedAt);
                    ps.setString(5, node);
                    ps.setLong(6, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                return null;
            });
            LOG.info("published the advisory database ({} bytes, {}) for the other nodes", size, digest);
        } finally {
            Files.deleteIfExists(snapshot);
        }
    }

    /** Streams the snapshot into the blob store as an upload committed under its SHA-256. */
    private Digest store(Path snapshot) throws IOException {
        String upload = UUID.randomUUID().toString(); // stores expect upload ids shaped like the registry's own
        blobs.createUpload(upload);
        MessageDigest sha256 = sha256();
        try (InputStream in = Files.newInputStream(snapshot); BlobStore.UploadWriter writer = blobs.appendTo(upload)) {
            byte[] buffer = new byte[1 << 20];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha256.update(buffer, 0, n);
                writer.write(ByteBuffer.wrap(buffer, 0, n));
            }
        } catch (IOException | RuntimeException e) {
            blobs.deleteUpload(upload);
            throw e;
        }
        Digest digest = Digest.parse("sha256:" + HexFormat.of().formatHex(sha256.digest()));
        blobs.commitUpload(upload, digest);
        return digest;
    }

    private void load(Published published) throws IOException {
        Files.createDirectories(work);
        Path snapshot = work.resolve("advisories-" + UUID.randomUUID() + ".db");
        try (BlobContent content = blobs.open(published.digest())) {
            if (content == null) {
                throw new IOException("the published advisory database " + published.digest() + " is not in the blob store");
            }
            MessageDigest sha256 = sha256();
            try (InputStream in = new java.security.DigestInputStream(content.stream(0, content.size()), sha256)) {
                Files.copy(in, snapshot, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!HexFormat.of().formatHex(sha256.digest()).equals(published.digest().hex())) {
                throw new IOException("the published advisory database does not match its digest " + published.digest());
            }
            advisories.restoreFrom(snapshot);
            LOG.info("loaded the advisory database {} published by another node", published.digest());
        } finally {
            Files.deleteIfExists(snapshot);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
