package io.slipway.registry.listen;

import java.io.IOException;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * TLS whose socket reads are large. Jetty's {@link SslConnection} reads the socket into a buffer
 * of one TLS record (about 16.7 KiB) and reads it again before every record it decrypts, so a
 * 1 GiB push over HTTPS made 66,119 {@code read} calls where plain HTTP makes about 2,300. This
 * connection reads up to {@link #READ_AHEAD} bytes at a time into a pooled buffer and hands them to
 * Jetty's record buffer as it asks for more: 4,736 reads for the same push, and less kernel time
 * (docs/DESIGN.md, "TLS reads ahead").
 *
 * <p>Bytes read ahead must never be bytes Jetty does not know it can read: if Jetty asks to be
 * told when the socket is readable while some are still held here, it is told at once, as if
 * they had just arrived. A buffer is held only while it has bytes, so an idle connection holds
 * none.
 */
final class ReadAheadSsl extends SslConnectionFactory {
    /** The most one socket read takes: 16 records of 16 KiB; pooled (RegistryServer keeps buffers up to 1 MiB). */
    static final int READ_AHEAD = 256 * 1024;

    ReadAheadSsl(SslContextFactory.Server context, String nextProtocol) {
        super(context, nextProtocol);
    }

    @Override
    protected SslConnection newSslConnection(Connector connector, EndPoint endPoint, SSLEngine engine) {
        return new Connection(connector.getByteBufferPool(), connector, getSslContextFactory(), endPoint, engine,
                isDirectBuffersForEncryption(), isDirectBuffersForDecryption());
    }

    static final class Connection extends SslConnection {
        private final ByteBufferPool pool;
        /** Bytes read from the socket and not yet given to Jetty; null when there are none. */
        private RetainableByteBuffer ahead;

        Connection(ByteBufferPool pool, Connector connector, SslContextFactory context, EndPoint endPoint,
                SSLEngine engine, boolean directOut, boolean directIn) {
            super(pool, connector.getExecutor(), context, endPoint, engine, directOut, directIn);
            this.pool = pool;
        }

        /** Jetty calls this with its own lock held; this monitor also covers {@link #onClose}. */
        @Override
        protected synchronized int networkFill(ByteBuffer input) throws IOException {
            if (ahead == null) {
                if (BufferUtil.space(input) == 0) {
                    return 0;
                }
                RetainableByteBuffer read = pool.acquire(READ_AHEAD, true);
                int n;
                try {
                    n = getEndPoint().fill(read.getByteBuffer());
                } catch (IOException | RuntimeException e) {
                    read.release();
                    throw e;
                }
                if (n <= 0) {
                    read.release();
                    return n;
                }
                ahead = read;
            }
            int given = BufferUtil.append(input, ahead.getByteBuffer());
            if (!ahead.hasRemaining()) {
                ahead.release();
                ahead = null;
            }
            return given;
        }

        /**
         * Jetty asks for this only after a fill found nothing to decrypt; bytes still held here
         * are readable now, so the callback runs at once rather than waiting on the socket.
         */
        @Override
        public void tryFillInterested(Callback callback) {
            if (holdsBytes()) {
                getExecutor().execute(callback::succeeded);
            } else {
                super.tryFillInterested(callback);
            }
        }

        private synchronized boolean holdsBytes() {
            return ahead != null && ahead.hasRemaining();
        }

        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            synchronized (this) {
                if (ahead != null) {
                    ahead.release();
                    ahead = null;
                }
            }
        }
    }
}
