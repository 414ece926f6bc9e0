package io.slipway.registry.metadata;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite file in WAL mode, shared by the stores that keep their tables in it. Writes go through
 * a single connection under a lock (SQLite has one writer anyway); reads use a small pool of
 * read-only connections, which WAL lets run beside the writer. {@code synchronous=NORMAL} keeps
 * every committed transaction through a killed process; only an operating-system crash can lose
 * the last few, never corrupt the file.
 */
public final class SqliteDatabase implements SqlDatabase {

    @Override
    public boolean singleProcess() {
        return true;
    }
    private static final int READERS = 8;

    private final String url;
    private final Connection writer;
    /**
     * Fair: the writer goes to the threads in the order they asked for it. A thread that writes
     * many short transactions in a row (a garbage collection sweep, a batch of them per lock) would
     * otherwise take it again at once each time and keep a waiting push out for many of them.
     */
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final BlockingQueue<Reader> readers = new ArrayBlockingQueue<>(READERS);
    private volatile Timing timing = NO_TIMING;

    /** A read-only connection and the statements prepared on it, kept for the hot paths. */
    private static final class Reader {
        final Connection connection;
        final java.util.Map<String, PreparedStatement> prepared = new java.util.HashMap<>();

        Reader(Connection connection) {
            this.connection = connection;
        }
    }

    public SqliteDatabase(Path file) {
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        try {
            this.writer = open(false);
            Migrations.apply(writer);
            for (int i = 0; i < READERS; i++) {
                readers.add(new Reader(open(true)));
            }
        } catch (SQLException e) {
            throw new MetadataException("cannot open the metadata database " + file + ": " + e.getMessage(), e);
        }
    }

    private Connection open(boolean readOnly) throws SQLException {
        java.util.Properties settings = new java.util.Properties();
        if (!readOnly) {
            // BEGIN IMMEDIATE: the writer takes SQLite's write lock when its transaction starts, where a
            // busy lock is waited for (busy_timeout). A deferred transaction that reads first and then
            // writes upgrades its lock mid-transaction, and SQLite answers that upgrade SQLITE_BUSY at
            // once, without waiting, whenever a reader holds the WAL write lock for the instant it takes
            // to re-read a torn wal-index header: a push failed so under GC stress.
            settings.setProperty("transaction_mode", "IMMEDIATE");
        }
        Connection c = DriverManager.getConnection(url, settings);
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
            if (!readOnly) {
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = NORMAL");
                st.execute("PRAGMA foreign_keys = ON");
            } else {
                st.execute("PRAGMA query_only = ON");
            }
        }
        return c;
    }

    @Override
    public void time(Timing t) {
        this.timing = t;
    }

    @Override
    public PoolUse poolUse() {
        int idle = readers.size();
        return new PoolUse(READERS - idle + (writeLock.isLocked() ? 1 : 0), idle + (writeLock.isLocked() ? 0 : 1),
                writeLock.getQueueLength(), READERS + 1);
    }

    @Override
    public <T> T read(Work<T> work) {
        return timing.timed("read", () -> readUntimed(work));
    }

    private <T> T readUntimed(Work<T> work) {
        Reader r = takeReader();
        try {
            return work.run(r.connection);
        } catch (SQLException e) {
            throw new MetadataException("metadata read failed: " + e.getMessage(), e);
        } finally {
            readers.add(r);
        }
    }

    /**
     * Runs a query with positional arguments on a reader connection and maps every row. The
     * statement stays prepared on each reader connection, keyed by its text: the lookups every pull
     * makes are short, and compiling the SQL would cost SQLite more than running it (PostgreSQL's
     * driver keeps its own server-side statements).
     */
    @Override
    public <T> List<T> list(String sql, Row<T> row, Object... args) {
        return timing.timed("read", () -> listUntimed(sql, row, args));
    }

    private <T> List<T> listUntimed(String sql, Row<T> row, Object... args) {
        Reader r = takeReader();
        try {
            PreparedStatement ps = r.prepared.get(sql);
            if (ps == null) {
                ps = r.connection.prepareStatement(sql);
                r.prepared.put(sql, ps);
            }
            try {
                SqlDatabase.bind(ps, args);
                List<T> list = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(row.map(rs));
                    }
                }
                return list;
            } finally {
                ps.clearParameters();
            }
        } catch (SQLException e) {
            throw new MetadataException("metadata read failed: " + e.getMessage(), e);
        } finally {
            readers.add(r);
        }
    }

    private Reader takeReader() {
        try {
            return readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataException("interrupted waiting for the metadata database", e);
        }
    }

    /** Runs {@code work} in one transaction: all of it is committed, or none. */
    @Override
    public <T> T write(Work<T> work) {
        return timing.timed("write", () -> writeUntimed(work));
    }

    private <T> T writeUntimed(Work<T> work) {
        writeLock.lock();
        try {
            return SqlDatabase.transaction(writer, work);
        } catch (SQLException e) {
            throw new MetadataException("metadata write failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** SQLite's extended result codes for a refused unique or primary key. */
    @Override
    public boolean isDuplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.sqlite.SQLiteException sql
                    && (sql.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                    || sql.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            closeQuietly(writer);
            Reader r;
            while ((r = readers.poll()) != null) {
                for (PreparedStatement ps : r.prepared.values()) {
                    try {
                        ps.close();
                    } catch (SQLException ignored) {
                        // closing at shutdown
                    }
                }
                closeQuietly(r.connection);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing at shutdown: nothing left to do with the error
        }
    }
}
