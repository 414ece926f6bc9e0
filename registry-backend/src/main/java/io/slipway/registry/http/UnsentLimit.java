package io.slipway.registry.http;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps how many bytes a connection of the registry listener may hold queued but not yet sent
 * ({@code TCP_NOTSENT_LOWAT}, Linux), set once on the listening socket: accepted connections inherit
 * it. Bytes in flight are not limited (the congestion and receive windows still grow as the path
 * allows, unlike a fixed {@code SO_SNDBUF}); only the backlog behind them is.
 *
 * <p>Why: a blob GET hands the kernel up to {@link FileRegionEndPoint#MAX_REGION} bytes at once
 * (sendfile). Without a cap the whole region waits in the socket's queue, and the kernel transmits it
 * later, in small steps, from the softirq that handles the client's ACKs: on loopback or a host
 * proxy that is the <em>client's</em> CPU, which then does the sending as well as the receiving
 * (measured: curl spent 1.2 s of CPU per GiB against 0.6 s with the cap, the server 0.2 s against
 * 0.45 s). With the cap the server's own sendfile calls transmit, and the two sides work in parallel.
 *
 * <p>Java has no option for it, so it is set with {@code setsockopt} through JNA on the listening
 * socket's descriptor, found in {@code /proc/self/fd} by its bound port. Where that is not possible
 * (not Linux, no native access) connections keep the system's default and blob GETs still work.
 */
final class UnsentLimit {
    /**
     * Enough for sendfile to keep the path busy between two wake-ups, small enough to be sent at once
     * (64 and 128 KiB measured alike, 1 MiB kept most of the effect away). {@code -Dslipway.tcpNotSentLowat=0}
     * leaves the system's default, to measure the difference.
     */
    static final int BYTES = Integer.getInteger("slipway.tcpNotSentLowat", 128 * 1024);

    private static final Logger LOG = LoggerFactory.getLogger(UnsentLimit.class);
    private static final int SOL_SOCKET = 1;
    private static final int SO_ACCEPTCONN = 30;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NOTSENT_LOWAT = 25;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private UnsentLimit() {
    }

    /** The C library's socket calls (only those used here). */
    private interface LibC extends Library {
        int getsockname(int fd, Memory address, IntByReference length);

        int getsockopt(int fd, int level, int name, Memory value, IntByReference length);

        int setsockopt(int fd, int level, int name, Memory value, int length);
    }

    /** Sets the cap on {@code listener} (bound and listening); true if it is in force. */
    static boolean apply(ServerSocketChannel listener) {
        if (BYTES <= 0 || !Platform.isLinux()) {
            return false;
        }
        int port = -1;
        try {
            port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            LibC libc = Native.load("c", LibC.class);
            int set = 0;
            for (int fd : socketsOn(libc, port, true)) {
                if (setInt(libc, fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, BYTES)
                        && getInt(libc, fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT) == BYTES) {
                    set++;
                }
            }
            if (set == 0) {
                LOG.warn("TCP_NOTSENT_LOWAT not set on the listener of port {}: its socket was not found", port);
            }
            return set > 0;
        } catch (IOException | RuntimeException | LinkageError e) {
            // No native access here (e.g. JNA cannot load): blob GETs work, only without the cap.
            LOG.warn("TCP_NOTSENT_LOWAT not set on the listener of port {}: {}", port, e.toString());
            return false;
        }
    }

    /**
     * The {@code TCP_NOTSENT_LOWAT} of each TCP socket of this process bound to local {@code port},
     * listening or accepted (0: the system's default); for tests.
     */
    static List<Integer> valuesOn(int port, boolean listening) throws IOException {
        LibC libc = Native.load("c", LibC.class);
        List<Integer> values = new ArrayList<>();
        for (int fd : socketsOn(libc, port, listening)) {
            values.add(getInt(libc, fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT));
        }
        return values;
    }

    /** The descriptors of this process's TCP sockets bound to local {@code port}, listening or not. */
    private static List<Integer> socketsOn(LibC libc, int port, boolean listening) throws IOException {
        List<Integer> found = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : fds) {
                int fd = Integer.parseInt(entry.getFileName().toString());
                if (isSocket(entry) && boundTo(libc, fd, port)
                        && (getInt(libc, fd, SOL_SOCKET, SO_ACCEPTCONN) == 1) == listening) {
                    found.add(fd);
                }
            }
        }
        return found;
    }

    private static boolean isSocket(Path fdEntry) {
        try {
            return Files.readSymbolicLink(fdEntry).toString().startsWith("socket:");
        } catch (IOException | UnsupportedOperationException e) {
            return false; // closed meanwhile, or not a link
        }
    }

    /** An IPv4 or IPv6 socket whose local port is {@code port}. */
    private static boolean boundTo(LibC libc, int fd, int port) {
        try (Memory address = new Memory(128)) {
            IntByReference length = new IntByReference(128);
            if (libc.getsockname(fd, address, length) != 0) {
                return false;
            }
            int family = Short.toUnsignedInt(address.getShort(0));
            if (family != AF_INET && family != AF_INET6) {
                return false;
            }
            int boundPort = (Byte.toUnsignedInt(address.getByte(2)) << 8) | Byte.toUnsignedInt(address.getByte(3));
            return boundPort == port;
        }
    }

    private static int getInt(LibC libc, int fd, int level, int name) {
        try (Memory value = new Memory(4)) {
            IntByReference length = new IntByReference(4);
            return libc.getsockopt(fd, level, name, value, length) == 0 ? value.getInt(0) : -1;
        }
    }

    private static boolean setInt(LibC libc, int fd, int level, int name, int v) {
        try (Memory value = new Memory(4)) {
            value.setInt(0, v);
            return libc.setsockopt(fd, level, name, value, 4) == 0;
        }
    }
}
