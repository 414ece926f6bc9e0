package io.slipway.registry.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;

/** An open stored blob. Close it when done. */
public interface BlobContent extends AutoCloseable {
    long size();

    /**
     * The blob as a file channel, for zero-copy serving, or null when the store is not a local
     * file system.
     */
    FileChannel fileChannel();

    /**
     * Where a client may fetch the blob itself (a pre-signed object-store URL), or null when this
     * node serves the bytes.
     */
    default java.net.URI redirect() {
        return null;
    }

    /** A stream of {@code length} bytes starting at {@code offset}. */
    InputStream stream(long offset, long length) throws IOException;

    @Override
    void close() throws IOException;
}
