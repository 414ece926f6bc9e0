package io.slipway.registry.metadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A SQL database that stores run plain, portable statements on: the embedded SQLite file of one
 * node ({@link SqliteDatabase}) or the PostgreSQL database several nodes share
 * ({@link PostgresDatabase}). A store whose SQL both accept (standard DML, {@code ON CONFLICT …
 * DO UPDATE}, {@code RETURNING}) needs no second implementation; what truly differs (transactions
 * and locking, conflict error codes, statement caching) is behind this interface.
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

    /** Prepares {@code sql} with positional arguments ({@link #bind}). */
    static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            bind(ps, args);
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        return ps;
    }

    /**
     * Binds positional arguments. A null is bound as VARCHAR: PostgreSQL wants a type even for a
     * null, and every nullable column the stores bind is text.
     */
    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
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

    /**
     * Runs {@code work} on {@code c} as one transaction: committed when it returns, rolled back
     * when it throws; {@code c} is left in auto-commit mode either way.
     */
    static <T> T transaction(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        Exception failure = null;
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            // The database may have ended the transaction itself (SQLite rolls back on a full disk):
            // then the rollback and the return to auto-commit fail too ("no transaction is active"),
            // and must not hide the reason the work failed.
            failure = e;
            try {
                c.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException a) {
                if (failure == null) {
                    throw a;
                }
                failure.addSuppressed(a);
            }
        }
    }

    /** Runs a query with positional arguments on a connection that sees committed data, and maps every row. */
    default <T> List<T> list(String sql, Row<T> row, Object... args) {
        return read(c -> list(c, sql, row, args));
    }

    /** The first row a query with positional arguments answers, if any. */
    default <T> Optional<T> one(String sql, Row<T> row, Object... args) {
        List<T> found = list(sql, row, args);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * True when only this process uses the database (the embedded SQLite file of one node): a lease
     * row another holder left in it is a dead process's.
     */
    default boolean singleProcess() {
        return false;
    }

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
     * Within a {@link #write} transaction, waits while a transaction holding {@code key} through
     * {@link #serializeOn} runs, but not for others sharing it: many writers, one exclusive sweeper.
     */
    default void shareOn(Connection c, long key) throws SQLException {
    }

    /**
     * {@link #serializeOn(Connection, long)} for each of {@code keys} within the lock space
     * {@code space}, taken in ascending order (so two callers never wait on each other in a cycle):
     * exclusion per key, where only the callers naming a same key wait for each other.
     */
    default void serializeOn(Connection c, int space, java.util.Collection<Integer> keys) throws SQLException {
    }

    /** {@link #shareOn(Connection, long)} for each of {@code keys} in {@code space}, in ascending order. */
    default void shareOn(Connection c, int space, java.util.Collection<Integer> keys) throws SQLException {
    }

    /**
     * What a {@code SELECT} that locks the rows it reads for this transaction ends with, given the
     * locking clause ({@code FOR UPDATE}, {@code FOR SHARE}, {@code FOR UPDATE SKIP LOCKED}): the
     * clause where writers run concurrently; nothing where one writer runs at a time (its
     * transactions are serialized already, and SQLite has no such clause).
     */
    default String rowLock(String clause) {
        return "";
    }

    /** Told how long each read and write took (for metrics); {@link #NO_TIMING} tells no one. */
    @FunctionalInterface
    interface Timing {
        void record(String operation, long nanos);

        /**
         * Runs {@code work} and records its time under {@code operation}, whether it returns or throws: the
         * one place each database implementation's reads and writes are timed.
         */
        default <T> T timed(String operation, Supplier<T> work) {
            long start = System.nanoTime();
            try {
                return work.get();
            } finally {
                record(operation, System.nanoTime() - start);
            }
        }
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
