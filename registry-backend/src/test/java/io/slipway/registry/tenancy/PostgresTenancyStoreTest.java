package io.slipway.registry.tenancy;

import io.slipway.registry.metadata.PostgresDatabase;
import io.slipway.registry.testing.PostgresServer;

/** The tenancy store contract on PostgreSQL, which every node of a scaled-out registry shares. */
class PostgresTenancyStoreTest extends TenancyStoreContract {
    private PostgresDatabase db;

    @Override
    protected TenancyStore openStore() throws Exception {
        db = new PostgresDatabase(PostgresServer.shared().newDatabase(8));
        return new SqlTenancyStore(db);
    }

    @Override
    protected void closeStore() {
        db.close();
    }
}
