package io.slipway.registry.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A plain-socket end point that can send a region of a file with {@link FileChannel#transferTo}
 * (sendfile on Linux): the kernel moves the bytes from the page cache to the socket, with no copy
 * through user memory and no memory mapping.
 *
 * <p>Jetty's response API takes only byte buffers, and Jetty counts the bytes of every write
 * against the Content-Length it committed. So a file region travels through Jetty as a
 * <em>stand-in</em> buffer of the region's length (a view of one shared, never-read direct
 * buffer): Jetty frames and counts it like any content, and when it reaches {@link #flush} this end
 * point recognises it by identity and sends the file's bytes in its place. Only one write is in
 * flight per HTTP/1.1 connection, so one pending region per end point suffices. The stand-in's
 * position is advanced by what the kernel accepted, so Jetty's own handling of incomplete writes
 * (wait until writable, flush again) resumes the transfer where it stopped.
 */
public final class FileRegionEndPoint extends SocketChannelEndPoint {
    /** The most one stand-in (and so one blocking write) carries. */
    static final int MAX_REGION = 8 << 20;
    private static final ByteBuffer STAND_IN = ByteBuffer.allocateDirect(MAX_REGION);

    private final SocketChannel socket;
    private volatile ByteBuffer pendingStandIn;
    private volatile FileChannel pendingFile;
    private volatile long pendingPosition;

    FileRegionEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, ServerConnector connector) {
        super(channel, selector, key, connector.getScheduler());
        this.socket = channel;
        setIdleTimeout(connector.getIdleTimeout());
    }

    /**
     * A buffer standing for {@code length} (at most {@link #MAX_REGION}) bytes of {@code file} from
     * {@code position}; write it through the response, then {@link #release} it.
     */
    ByteBuffer standIn(FileChannel file, long position, int length) {
        ByteBuffer buffer = STAND_IN.duplicate();
        buffer.limit(length);
        pendingFile = file;
        pendingPosition = position;
        pendingStandIn = buffer;
        return buffer;
    }

    void release(ByteBuffer standIn) {
        if (pendingStandIn == standIn) {
            pendingStandIn = null;
            pendingFile = null;
        }
    }

    @Override
    public boolean flush(ByteBuffer... buffers) throws IOException {
        ByteBuffer standIn = pendingStandIn;
        int at = -1;
        for (int i = 0; standIn != null && i < buffers.length; i++) {
            if (buffers[i] == standIn) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return super.flush(buffers);
        }
        // Headers (and anything else Jetty put before the region) first, then the region.
        if (at > 0) {
            ByteBuffer[] before = new ByteBuffer[at];
            System.arraycopy(buffers, 0, before, 0, at);
            if (!super.flush(before)) {
                return false;
            }
        }
        while (standIn.hasRemaining()) {
            long sent = pendingFile.transferTo(pendingPosition + standIn.position(), standIn.remaining(), socket);
            if (sent <= 0) {
                if (pendingPosition + standIn.position() >= pendingFile.size()) {
                    // Without this the selector would wake us for ever on a writable socket.
                    throw new IOException("stored file ended before the region it was to send");
                }
                // The socket's buffer is full: Jetty waits until it is writable and flushes again.
                return false;
            }
            standIn.position(standIn.position() + (int) sent);
            notIdle();
        }
        if (at + 1 < buffers.length) {
            ByteBuffer[] after = new ByteBuffer[buffers.length - at - 1];
            System.arraycopy(buffers, at + 1, after, 0, after.length);
            return super.flush(after);
        }
        return true;
    }

    /** A connector whose connections use this end point. */
    public static ServerConnector connector(Server server, ConnectionFactory... factories) {
        return new Connector(server, factories);
    }

    private static final class Connector extends ServerConnector {
        Connector(Server server, ConnectionFactory... factories) {
            super(server, factories);
        }

        @Override
        protected ServerSocketChannel openAcceptChannel() throws IOException {
            ServerSocketChannel channel = super.openAcceptChannel();
            // Before the first accept: the connections inherit the cap from the listening socket.
            UnsentLimit.apply(channel);
            return channel;
        }

        @Override
        protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key) {
            return new FileRegionEndPoint(channel, selector, key, this);
        }
    }
}
