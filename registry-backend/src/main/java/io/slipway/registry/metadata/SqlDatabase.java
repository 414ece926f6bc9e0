package io.slipway.registry.metadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * A SQL database that stores run plain, portable statements on: the embedded SQLite file of one
 * node ({@link SqliteDatabase}) or the PostgreSQL database several nodes share
 * ({@link PostgresDatabase}). A store whose SQL both accept (standard DML, {@code ON CONFLICT …
 * DO UPDATE}, generated keys) needs no second implementation.
 */
public interface SqlDatabase extends AutoCloseable {

    /** Work done with one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Reads one value per row. */
    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /**
     * Prepares {@code sql} with positional arguments. A null is bound as VARCHAR: PostgreSQL wants a
     * type even for a null, and every nullable column the stores bind is text.
     */
    static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
        return ps;
    }

    /** Runs a query with positional arguments on {@code c} and maps every row. */
    static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> list = new ArrayList<>();
            while (rs.next()) {
                list.add(row.map(rs));
            }
            return list;
        }
    }

    /** Runs a statement with positional arguments on {@code c}; the count of rows it changed. */
    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    /** Runs {@code work} on a connection that sees committed data. */
    <T> T read(Work<T> work);

    /** Runs {@code work} in one transaction: all of it is committed, or none. */
    <T> T write(Work<T> work);

    /** Runs a query with positional arguments and maps every row. */
    <T> List<T> list(String sql, Row<T> row, Object... args);

    /** True when {@code e} says a unique constraint refused the row (someone created it first). */
    boolean isDuplicate(Throwable e);

    /**
     * Within a {@link #write} transaction, waits until no other transaction holding {@code key} runs,
     * across every process sharing the database. A database with one writer already serializes
     * its transactions and needs nothing more.
     */
    default void serializeOn(Connection c, long key) throws SQLException {
    }

    /**
     * What a {@code SELECT} that claims rows for this transaction ends with: {@code FOR UPDATE
     * SKIP LOCKED} where writers run concurrently (another transaction's claimed rows are passed
     * over, not waited for); nothing where one writer runs at a time.
     */
    default String skipLocked() {
        return "";
    }

    /** Told how long each read and write took (for metrics); {@link #NO_TIMING} tells no one. */
    @FunctionalInterface
    interface Timing {
        void record(String operation, long nanos);
    }

    Timing NO_TIMING = (operation, nanos) -> { };

    /** Connections of this node's pool in use, idle, and callers waiting for one. */
    record PoolUse(int active, int idle, int waiting, int max) {
    }

    /** Has every later read and write timed by {@code timing}. */
    void time(Timing timing);

    /** The pool's use now, for metrics. */
    PoolUse poolUse();

    @Override
    void close();
}
