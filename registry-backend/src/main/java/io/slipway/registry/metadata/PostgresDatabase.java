package io.slipway.registry.metadata;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One PostgreSQL database shared by every registry node and by the stores that keep their tables
 * in it, through a small connection pool. Writes run in READ COMMITTED transactions that take the
 * row locks they need explicitly; a transaction that loses a deadlock or serialization race is
 * rolled back and run again, so callers see each write happen exactly once.
 */
public final class PostgresDatabase implements SqlDatabase {
    /** Arbitrary, fixed: the advisory lock under which one node at a time migrates the schema. */
    private static final long MIGRATION_LOCK = 0x536c69707761794dL;
    private static final int ATTEMPTS = 5;

    private final HikariDataSource pool;
    private volatile Timing timing = NO_TIMING;

    public PostgresDatabase(PostgresSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(2, settings.poolSize()));
        config.setPoolName("slipway-metadata");
        config.setConnectionTimeout(30_000);
        // JIT compiles a query whose estimated cost passes jit_above_cost, which the console's
        // filtered image queries do on 10,000 images: 30-100 ms of compiling for a query that runs
        // in a few. The registry's queries are short (OLTP), so its sessions never JIT. An "options"
        // in the configured URL takes precedence over this.
        config.addDataSourceProperty("options", "-c jit=off");
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new MetadataException("cannot connect to the metadata database " + settings.url() + ": "
                    + e.getMessage(), e);
        }
        try (Connection c = pool.getConnection()) {
            migrate(c);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new MetadataException("cannot migrate the metadata database " + settings.url() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Nodes starting together take turns: the first brings the schema up to date, the rest find it so. */
    private static void migrate(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
        }
        try {
            Migrations.apply(c, Migrations.Dialect.POSTGRES);
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
    }

    /** Runs {@code work} outside a transaction (each statement sees committed data). */
    @Override
    public void time(Timing t) {
        this.timing = t;
    }

    @Override
    public PoolUse poolUse() {
        var bean = pool.getHikariPoolMXBean();
        return bean == null ? new PoolUse(0, 0, 0, pool.getMaximumPoolSize())
                : new PoolUse(bean.getActiveConnections(), bean.getIdleConnections(), bean.getThreadsAwaitingConnection(),
                        pool.getMaximumPoolSize());
    }

    @Override
    public <T> T read(Work<T> work) {
        return timing.timed("read", () -> readUntimed(work));
    }

    private <T> T readUntimed(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new MetadataException("metadata read failed: " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in one transaction: all of it is committed, or none. */
    @Override
    public <T> T write(Work<T> work) {
        return timing.timed("write", () -> writeUntimed(work));
    }

    private <T> T writeUntimed(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                return SqlDatabase.transaction(c, work);
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && retryable(e)) {
                    continue;
                }
                throw new MetadataException("metadata write failed: " + e.getMessage(), e);
            }
        }
    }

    /** Serialization failure or deadlock: the other transaction won; running again is safe. */
    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    /** SQLSTATE 23505: a unique constraint refused the row (someone else created it first). */
    @Override
    public boolean isDuplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Several nodes write at once: the rows a transaction relies on are locked explicitly. */
    @Override
    public String rowLock(String clause) {
        return " " + clause;
    }

    @Override
    public void serializeOn(Connection c, long key) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, key);
            ps.executeQuery().close();
        }
    }

    @Override
    public void shareOn(Connection c, long key) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
            ps.setLong(1, key);
            ps.executeQuery().close();
        }
    }

    @Override
    public void serializeOn(Connection c, int space, java.util.Collection<Integer> keys) throws SQLException {
        lockEach(c, "pg_advisory_xact_lock", space, keys);
    }

    @Override
    public void shareOn(Connection c, int space, java.util.Collection<Integer> keys) throws SQLException {
        lockEach(c, "pg_advisory_xact_lock_shared", space, keys);
    }

    /**
     * Every key's advisory lock (the two-int form, apart from the one-bigint keys) in one round
     * trip, in ascending order: the sorted subquery feeds the outer function one key at a time.
     */
    private static void lockEach(Connection c, String function, int space, java.util.Collection<Integer> keys)
            throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (var ps = c.prepareStatement("SELECT " + function + "(?, k) FROM (SELECT DISTINCT k FROM unnest(?) AS u(k) "
                + "ORDER BY k) s")) {
            ps.setInt(1, space);
            ps.setArray(2, c.createArrayOf("integer", keys.toArray()));
            ps.executeQuery().close();
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
