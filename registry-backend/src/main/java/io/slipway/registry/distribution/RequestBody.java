package io.slipway.registry.distribution;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A request body as the HTTP layer receives it, handed to the services buffer by buffer so that
 * nothing is held whole in memory and the services never see the server's types.
 */
@FunctionalInterface
public interface RequestBody {

    /** Feeds every buffer of the body to {@code sink}, in order, then returns. */
    void forEach(BufferSink sink) throws IOException;

    @FunctionalInterface
    interface BufferSink {
        void accept(ByteBuffer buffer) throws IOException;
    }

    /** The body's length when the request declared it, else -1. */
    default long length() {
        return -1;
    }

    RequestBody EMPTY = new RequestBody() {
        @Override
        public void forEach(BufferSink sink) {
        }

        @Override
        public long length() {
            return 0;
        }
    };
}
