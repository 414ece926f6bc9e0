package io.slipway.registry.metadata;

/**
 * How to reach the PostgreSQL database that several registry nodes share.
 *
 * @param url      a JDBC URL, {@code jdbc:postgresql://host:5432/slipway}
 * @param poolSize connections this node keeps open (every node counts against the server's
 *                 {@code max_connections})
 */
public record PostgresSettings(String url, String user, String password, int poolSize) {
    public static final int DEFAULT_POOL_SIZE = 16;

    public PostgresSettings {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("metadata.url must be a jdbc:postgresql: URL");
        }
        if (poolSize <= 0) {
            poolSize = DEFAULT_POOL_SIZE;
        }
    }

    @Override
    public String toString() {
        // Never print the password.
        return "PostgresSettings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
}
