package io.slipway.registry.listen;

import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;

/**
 * Fails a request body that arrives slower than {@code bytesPerSecond}, each request measured on its
 * own: the bytes this request's handler has read, over the time since it first had to wait for more.
 * The check is made only when the handler is about to wait (nothing buffered), so a handler slower
 * than its client is never blamed on the client.
 *
 * <p>Why not Jetty's {@code MinimumDataRateHandler} (12.1): it divides the bytes read by <em>all</em>
 * requests since the server started (its {@code StatisticsHandler} total) by the time of one request.
 * So a slow client was never cut once the server had received a few MiB in all, and once that total
 * passed 2^63 / 10^9 bytes (~9.2 GB) its {@code bytes * 1_000_000_000} overflowed to a negative rate
 * and every request body from then on failed at once ("read rate is too low", seen as 500s on every
 * push after ~9 GB pushed since start).
 */
final class MinimumReadRate extends Handler.Wrapper {
    private final long bytesPerSecond;

    MinimumReadRate(Handler handler, long bytesPerSecond) {
        super(handler);
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive");
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return super.handle(new Measured(request), response, callback);
    }

    /** True if {@code bytes} read in {@code nanos} is below the minimum rate (no overflow for any body size). */
    static boolean tooSlow(long bytes, long nanos, long bytesPerSecond) {
        // bytes / (nanos / 1e9) < rate, as doubles: exact enough, and no product that can overflow.
        return nanos > 0 && bytes * 1e9 / nanos < bytesPerSecond;
    }

    private final class Measured extends Request.Wrapper {
        private long read;
        private long firstWait;
        private Content.Chunk failure;

        Measured(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            if (failure != null) {
                return failure;
            }
            Content.Chunk chunk = super.read();
            if (chunk != null) {
                read += chunk.remaining();
            }
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            long now = NanoTime.now();
            if (firstWait == 0) {
                firstWait = now == 0 ? 1 : now;
            } else if (read > 0 && tooSlow(read, NanoTime.elapsed(firstWait, now), bytesPerSecond)) {
                failure = Content.Chunk.from(new TimeoutException("request body slower than "
                        + bytesPerSecond + " bytes a second"));
                demandCallback.run();
                return;
            }
            super.demand(demandCallback);
        }
    }
}
