package io.slipway.registry.tenancy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.registry.metadata.PostgresDatabase;
import io.slipway.registry.testing.PostgresServer;
import org.junit.jupiter.api.Test;

/** The tenancy store contract on PostgreSQL, which every node of a scaled-out registry shares. */
class PostgresTenancyStoreTest extends TenancyStoreContract {
    private PostgresDatabase db;

    @Override
    protected TenancyStore openStore() throws Exception {
        db = new PostgresDatabase(PostgresServer.shared().newDatabase(8));
        return new PostgresTenancyStore(db);
    }

    @Override
    protected void closeStore() {
        db.close();
    }

    @Test
    void aDuplicateCreatedByAnotherNodeIsAConflictNotAServerError() {
        store.createAccount("acme");
        // What Tenancy's own check cannot see when another node inserted in between.
        assertThatThrownBy(() -> store.createAccount("acme")).isInstanceOf(TenancyException.class)
                .hasMessageContaining("exists")
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((TenancyException) e).status()).isEqualTo(409));
    }
}
