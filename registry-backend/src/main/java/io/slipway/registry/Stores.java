package io.slipway.registry;

import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import io.slipway.registry.metadata.CachingMetadataStore;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.metadata.PostgresDatabase;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.metadata.SqlMetadataStore;
import io.slipway.registry.metadata.SqliteDatabase;
import io.slipway.registry.storage.BlobStore;
import io.slipway.registry.storage.FileSystemBlobStore;
import io.slipway.registry.storage.S3BlobStore;
import io.slipway.registry.tenancy.SqlTenancyStore;
import io.slipway.registry.tenancy.TenancyStore;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The stores one registry node runs on, as the configuration names them: the embedded default
 * (files and SQLite under the data directory) or the shared ones several nodes use (S3 and
 * PostgreSQL). Closing closes them all.
 */
public final class Stores implements AutoCloseable {
    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final TenancyStore tenancy;
    private final SqlDatabase database;
    private final Deque<AutoCloseable> opened;

    private Stores(BlobStore blobs, MetadataStore metadata, TenancyStore tenancy, SqlDatabase database,
            Deque<AutoCloseable> opened) {
        this.blobs = blobs;
        this.metadata = metadata;
        this.tenancy = tenancy;
        this.database = database;
        this.opened = opened;
    }

    public static Stores open(RegistryConfig config) throws Exception {
        StoreSettings settings = config.stores();
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            BlobStore blobs = settings.s3() != null
                    ? S3BlobStore.open(settings.s3())
                    : new FileSystemBlobStore(config.dataDir());
            opened.push(blobs);
            if (settings.postgres() != null) {
                PostgresDatabase db = new PostgresDatabase(settings.postgres());
                opened.push(db);
                return new Stores(blobs, metadata(db, opened), new SqlTenancyStore(db), db, opened);
            }
            SqliteDatabase db = new SqliteDatabase(config.dataDir().resolve("metadata.db"));
            opened.push(db);
            return new Stores(blobs, metadata(db, opened), new SqlTenancyStore(db), db, opened);
        } catch (Exception e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /** The metadata store of a node: the SQL store behind the read cache every node keeps. */
    private static MetadataStore metadata(SqlDatabase db, Deque<AutoCloseable> opened) {
        MetadataStore metadata = new CachingMetadataStore(new SqlMetadataStore(db, false));
        opened.push(metadata); // closed before the database: its poller stops first
        return metadata;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public MetadataStore metadata() {
        return metadata;
    }

    public TenancyStore tenancy() {
        return tenancy;
    }

    /** The database the metadata and tenancy stores keep their tables in, for stores beside them. */
    public SqlDatabase database() {
        return database;
    }

    @Override
    public void close() throws Exception {
        Exception first = new Exception("closing the stores failed");
        closeAll(opened, first);
        if (first.getSuppressed().length > 0) {
            throw first;
        }
    }

    /** Closes in reverse order of opening, collecting failures on {@code failure}. */
    private static void closeAll(Deque<AutoCloseable> opened, Exception failure) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}
