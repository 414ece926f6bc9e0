package io.slipway.registry.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends to an upload file with O_DIRECT: the body goes from an aligned buffer to the disk without
 * passing through the page cache. Writing into new page-cache pages was most of a push's cost
 * where those pages are dear (a VM whose freed memory goes back to its host: 5.4 s of kernel CPU
 * per GiB for {@code dd} into a new file against 0.3 s with {@code oflag=direct}). The price is
 * that the first pull of a just-pushed large blob reads the disk (docs/DESIGN.md, "Large uploads
 * bypass the page cache"); MinIO writes objects the same way.
 *
 * <p>O_DIRECT needs offsets and lengths that are multiples of the file system's block size, so
 * the bytes before the first aligned offset (an upload resumed mid-block) and those after the last
 * whole block (the tail) go through an ordinary channel to the same file; Linux keeps the two
 * coherent. Where the file system refuses O_DIRECT (tmpfs before Linux 6.6, some network file
 * systems) the same 1 MiB stages go through the ordinary channel.
 *
 * <p>Either way a large upload reaches the file in 1 MiB writes whatever the size of the pieces it
 * arrives in: over TLS and in HTTP/2 DATA frames a body comes 16 KiB at a time, and writing each
 * piece was 65,541 {@code write} calls for a 1 GiB push.
 *
 * <p>The first {@link #DIRECT_FROM} bytes of a file are written the ordinary way: small blobs (configs,
 * manifests' layers of a few KiB) gain nothing from O_DIRECT and would each cost a synchronous disk
 * write. The aligned buffers are shared through a small free list, not allocated per request.
 */
final class DirectAppender implements AutoCloseable {
    /** Bytes gathered before one write. */
    static final int STAGE_BYTES = 1 << 20;
    /** Offsets below this are written as they come, through the page cache. */
    static final long DIRECT_FROM = 8L << 20;
    /** Free aligned buffers kept for the next appenders (each is one MiB of direct memory). */
    private static final int KEPT_STAGES = 8;
    private static final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> FREE_STAGES =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final java.util.concurrent.atomic.AtomicInteger FREE_COUNT = new java.util.concurrent.atomic.AtomicInteger();

    /** One stage write in flight per file, so the request goes on receiving while the disk writes. */
    private static final java.util.concurrent.ExecutorService WRITER = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "blob-direct-write");
        t.setDaemon(true);
        return t;
    });

    private final FileChannel buffered;
    /** The O_DIRECT channel; null where the file system refuses it. */
    private final FileChannel direct;
    /** Where whole stages go: {@link #direct}, or {@link #buffered} without it. */
    private final FileChannel sink;
    /** The block size O_DIRECT needs offsets and lengths in; 1 without O_DIRECT. */
    private final int align;

    /** Taken when the first byte at or past {@link #DIRECT_FROM} is written; null before. */
    private ByteBuffer stage;
    /** The buffer being written by {@link #pending}; the next stage once that is done. */
    private ByteBuffer writing;
    private java.util.concurrent.Future<?> pending;
    /** File offset of the stage's first byte (of the next byte, while there is no stage). */
    private long stageAt;

    private DirectAppender(FileChannel buffered, FileChannel direct, int align, long size) {
        this.buffered = buffered;
        this.direct = direct;
        this.sink = direct != null ? direct : buffered;
        this.align = direct != null ? align : 1;
        this.stageAt = size;
    }

    /** Opens {@code file} for appending at its end. */
    static DirectAppender open(Path file) throws IOException {
        FileChannel buffered = FileChannel.open(file, StandardOpenOption.WRITE);
        FileChannel direct = null;
        int align = 0;
        try {
            align = Math.toIntExact(Files.getFileStore(file).getBlockSize());
            if (align > 0 && align <= STAGE_BYTES && Integer.bitCount(align) == 1) {
                direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            }
        } catch (IOException | UnsupportedOperationException | ArithmeticException e) {
            direct = null; // no O_DIRECT here: stages go through the ordinary channel
        }
        return new DirectAppender(buffered, direct, align, buffered.size());
    }

    void write(ByteBuffer buffer) throws IOException {
        if (stage == null) {
            if (stageAt + buffer.remaining() <= DIRECT_FROM) {
                stageAt += writeFully(buffered, buffer, stageAt);
                return;
            }
            stage = takeStage(align);
        }
        while (buffer.hasRemaining()) {
            if (stage.position() == 0 && stageAt % align != 0) {
                // Up to the next block boundary through the page cache.
                int head = (int) Math.min(buffer.remaining(), align - stageAt % align);
                stageAt += writeFully(buffered, slice(buffer, head), stageAt);
                continue;
            }
            int n = Math.min(buffer.remaining(), stage.remaining());
            stage.put(slice(buffer, n));
            if (!stage.hasRemaining()) {
                writeBehind();
            }
        }
    }

    /** Hands the full stage to the writer thread and stages into the other buffer meanwhile. */
    private void writeBehind() throws IOException {
        awaitPending();
        ByteBuffer full = stage.flip();
        long at = stageAt;
        stageAt += full.remaining();
        pending = WRITER.submit(() -> {
            writeFully(sink, full, at);
            return null;
        });
        stage = writing != null ? writing.clear() : takeStage(align);
        writing = full;
    }

    /** Waits for the write in flight, if any; its failure is this call's. */
    private void awaitPending() throws IOException {
        java.util.concurrent.Future<?> p = pending;
        if (p == null) {
            return;
        }
        try {
            p.get();
            pending = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // still in flight: pending stays set
            throw new java.io.InterruptedIOException("interrupted while writing an upload");
        } catch (java.util.concurrent.ExecutionException e) {
            pending = null;
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("writing an upload failed", cause);
        }
    }

    /** Writes what is staged: the whole blocks directly, the tail through the page cache. */
    void flush() throws IOException {
        awaitPending();
        if (stage == null || stage.position() == 0) {
            return;
        }
        stage.flip();
        int whole = stage.remaining() - stage.remaining() % align;
        if (whole > 0) {
            stageAt += writeFully(sink, stage.duplicate().limit(whole), stageAt);
            stage.position(whole);
        }
        stageAt += writeFully(buffered, stage, stageAt);
        stage.clear();
    }

    /** Whether bytes of this file went (or are staged to go) to the disk with O_DIRECT. */
    boolean usesDirect() {
        return stage != null && direct != null;
    }

    /** The file's length once everything written is flushed. */
    long position() {
        return stageAt + (stage == null ? 0 : stage.position());
    }

    /** Drops everything past {@code size}. */
    void truncate(long size) throws IOException {
        try {
            awaitPending(); // nothing may land past size after the truncation
        } catch (IOException e) {
            // what failed to be written is being dropped anyway
        }
        if (size > stageAt) {
            flush(); // staged bytes before size are kept
        }
        if (stage != null) {
            stage.clear();
        }
        buffered.truncate(size);
        stageAt = buffered.size();
    }

    /** Makes the file's bytes durable (fdatasync covers both channels: they name one file). */
    void force() throws IOException {
        buffered.force(false);
    }

    @Override
    public void close() throws IOException {
        try (buffered; FileChannel d = direct) {
            flush();
        } finally {
            try {
                awaitPending(); // flush waited unless it failed first; a buffer is never given back mid-write
            } catch (IOException e) {
                // flush's own failure is the one reported
            }
            if (stage != null) {
                giveBack(stage);
                stage = null;
            }
            if (writing != null && pending == null) { // a buffer still being written is left to the collector
                giveBack(writing);
            }
            writing = null;
        }
    }

    private static ByteBuffer takeStage(int align) {
        ByteBuffer kept = FREE_STAGES.poll();
        if (kept != null) {
            FREE_COUNT.decrementAndGet();
            if (kept.alignmentOffset(0, align) == 0) {
                return kept.clear().limit(STAGE_BYTES);
            }
        }
        return ByteBuffer.allocateDirect(STAGE_BYTES + align).alignedSlice(align).limit(STAGE_BYTES);
    }

    private static void giveBack(ByteBuffer stage) {
        if (FREE_COUNT.incrementAndGet() <= KEPT_STAGES) {
            FREE_STAGES.add(stage.clear());
        } else {
            FREE_COUNT.decrementAndGet();
        }
    }

    private static ByteBuffer slice(ByteBuffer buffer, int n) {
        ByteBuffer part = buffer.slice(buffer.position(), n);
        buffer.position(buffer.position() + n);
        return part;
    }

    private static int writeFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
        int n = buffer.remaining();
        long p = at;
        while (buffer.hasRemaining()) {
            p += channel.write(buffer, p);
        }
        return n;
    }
}
