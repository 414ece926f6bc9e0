package io.slipway.registry.distribution;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Feeds a message digest on another thread, so that hashing a large upload overlaps receiving and
 * writing it instead of following it: SHA-256 is the slowest step of a verified upload, and with
 * two cores the two halves run side by side. Bytes are copied into a few fixed staging buffers,
 * which bounds the memory of one upload however large it is.
 */
final class ParallelHasher implements AutoCloseable {
    private static final int BUFFER = 1 << 20;
    private static final int BUFFERS = 4;
    private static final byte[] END = new byte[0];

    private final MessageDigest digest;
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<byte[]> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final BlockingQueue<Integer> lengths = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Future<?> task;
    private byte[] current;
    private int filled;
    private boolean finished;

    ParallelHasher(MessageDigest digest, ExecutorService executor) {
        this.digest = digest;
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[BUFFER]);
        }
        this.task = executor.submit(this::drain);
    }

    private Void drain() throws InterruptedException {
        while (true) {
            byte[] buffer = full.take();
            if (buffer == END) {
                return null;
            }
            digest.update(buffer, 0, lengths.take());
            free.put(buffer);
        }
    }

    /** Queues the buffer's remaining bytes for hashing; the buffer's position is left unchanged. */
    void update(ByteBuffer source) throws InterruptedException {
        ByteBuffer b = source.duplicate();
        while (b.hasRemaining()) {
            if (current == null) {
                current = free.take();
                filled = 0;
            }
            int n = Math.min(b.remaining(), BUFFER - filled);
            b.get(current, filled, n);
            filled += n;
            if (filled == BUFFER) {
                hand();
            }
        }
    }

    private void hand() throws InterruptedException {
        lengths.put(filled);
        full.put(current);
        current = null;
        filled = 0;
    }

    /** Waits until every queued byte has been hashed; the digest is then up to date. */
    void finish() throws Exception {
        if (finished) {
            return;
        }
        finished = true;
        if (current != null && filled > 0) {
            hand();
        }
        full.put(END);
        task.get();
    }

    /** Stops the hashing thread without finishing (the upload failed; the digest is void). */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            task.cancel(true);
        }
    }
}
