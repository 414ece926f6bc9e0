package io.slipway.registry.metadata;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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
public final class SqliteDatabase implements AutoCloseable {
    private static final int READERS = 8;

    private final String url;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);

    /** Work done with one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    public SqliteDatabase(Path file) {
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        try {
            this.writer = open(false);
            Migrations.apply(writer);
            for (int i = 0; i < READERS; i++) {
                readers.add(open(true));
            }
        } catch (SQLException e) {
            throw new MetadataException("cannot open the metadata database " + file + ": " + e.getMessage(), e);
        }
    }

    private Connection open(boolean readOnly) throws SQLException {
        Connection c = DriverManager.getConnection(url);
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

    public <T> T read(Work<T> work) {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataException("interrupted waiting for the metadata database", e);
        }
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new MetadataException("metadata read failed: " + e.getMessage(), e);
        } finally {
            readers.add(c);
        }
    }

    /** Runs {@code work} in one transaction: all of it is committed, or none. */
    public <T> T write(Work<T> work) {
        writeLock.lock();
        try {
            writer.setAutoCommit(false);
            try {
                T result = work.run(writer);
                writer.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                writer.rollback();
                throw e;
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new MetadataException("metadata write failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            closeQuietly(writer);
            Connection c;
            while ((c = readers.poll()) != null) {
                closeQuietly(c);
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
