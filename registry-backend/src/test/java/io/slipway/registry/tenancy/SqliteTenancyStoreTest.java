package io.slipway.registry.tenancy;

import io.slipway.registry.metadata.SqliteDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The tenancy store contract on the embedded default, SQLite. */
class SqliteTenancyStoreTest extends TenancyStoreContract {
    @TempDir
    Path dir;
    private SqliteDatabase db;

    @Override
    protected TenancyStore openStore() {
        db = new SqliteDatabase(dir.resolve("metadata.db"));
        return new SqlTenancyStore(db);
    }

    @Override
    protected void closeStore() {
        db.close();
    }
}
