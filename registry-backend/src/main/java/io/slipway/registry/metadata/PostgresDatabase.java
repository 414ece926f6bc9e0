package io.slipway.registry.metadata;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

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
        long start = System.nanoTime();
        try {
            return readUntimed(work);
        } finally {
            timing.record("read", System.nanoTime() - start);
        }
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
        long start = System.nanoTime();
        try {
            return writeUntimed(work);
        } finally {
            timing.record("write", System.nanoTime() - start);
        }
    }

    private <T> T writeUntimed(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && retryable(e)) {
                    continue;
                }
                throw new MetadataException("metadata write failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public <T> List<T> list(String sql, Row<T> row, Object... args) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    if (args[i] == null) {
                        ps.setNull(i + 1, Types.VARCHAR);
                    } else {
                        ps.setObject(i + 1, args[i]);
                    }
                }
                List<T> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Serialization failure or deadlock: the other transaction won; running again is safe. */
    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    /** True when {@code e} is a unique-constraint violation (someone else created the row first). */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isDuplicate(Throwable e) {
        return isUniqueViolation(e);
    }

    @Override
    public String skipLocked() {
        return " FOR UPDATE SKIP LOCKED";
    }

    @Override
    public void serializeOn(Connection c, long key) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, key);
            ps.executeQuery().close();
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
