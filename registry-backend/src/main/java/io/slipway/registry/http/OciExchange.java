package io.slipway.registry.http;

import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.distribution.RequestBody;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;

/** The registry API's request and response plumbing, shared by its resource handlers. */
final class OciExchange {

    /**
     * How much of a too-large body is still read (and dropped) before the refusal: clients such as
     * Java's HttpClient send the whole body before they read an answer, and a connection closed
     * under them loses the 413. Beyond this the connection is closed without reading on.
     */
    private static final int DRAIN_FACTOR = 16;

    private OciExchange() {
    }

    static String authorization(Request request) {
        return request.getHeaders().get(HttpHeader.AUTHORIZATION);
    }

    /** The request body, fed buffer by buffer straight from the connection. */
    static RequestBody body(Request request) {
        long length = request.getLength();
        return new RequestBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void forEach(BufferSink sink) throws IOException {
                while (true) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        try (Blocker.Runnable blocker = Blocker.runnable()) {
                            request.demand(blocker);
                            blocker.block();
                        }
                        continue;
                    }
                    try {
                        if (Content.Chunk.isFailure(chunk)) {
                            Throwable failure = chunk.getFailure();
                            throw failure instanceof IOException io ? io : new IOException(failure);
                        }
                        ByteBuffer buffer = chunk.getByteBuffer();
                        if (buffer.hasRemaining()) {
                            sink.accept(buffer);
                        }
                        if (chunk.isLast()) {
                            return;
                        }
                    } finally {
                        chunk.release();
                    }
                }
            }
        };
    }

    /** A small body (a manifest, a signature) read whole; TOO_LARGE beyond {@code limit} bytes. */
    static byte[] readLimited(Request request, int limit) throws IOException {
        long declared = request.getLength();
        long drainLimit = (long) limit * DRAIN_FACTOR;
        if (declared > drainLimit) {
            throw tooLarge(limit);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 && declared <= limit ? (int) declared : 4096);
        long[] total = {0};
        body(request).forEach(buffer -> {
            total[0] += buffer.remaining();
            if (total[0] > drainLimit) {
                throw tooLarge(limit);
            }
            if (total[0] > limit) {
                buffer.position(buffer.limit()); // dropped: the answer will be 413
                return;
            }
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            out.write(bytes);
        });
        if (total[0] > limit) {
            throw tooLarge(limit);
        }
        return out.toByteArray();
    }

    private static OciError tooLarge(int limit) {
        return new OciError(ErrorCode.TOO_LARGE, "manifest is larger than the limit of " + limit + " bytes");
    }

    static void write(Response response, boolean last, ByteBuffer buffer) throws IOException {
        try (Blocker.Callback blocker = Blocker.callback()) {
            response.write(last, buffer, blocker);
            blocker.block();
        }
    }

    /** An answer without a body: the handler's callback completes the response. */
    static void empty(Response response, int status) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    }

    static void sendJson(Request request, Response response, int status, byte[] body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (request.getMethod().equals("HEAD")) {
            return;
        }
        write(response, true, ByteBuffer.wrap(body));
    }

    static void requireMethod(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw unsupported(method);
    }

    static OciError unsupported(String method) {
        return new OciError(ErrorCode.UNSUPPORTED, "method " + method + " is not supported here");
    }

    /** The {@code n} of a listing, at most the configured page size. */
    static int pageSize(String n, Limits limits) {
        if (n == null || n.isEmpty()) {
            return limits.listPageSize();
        }
        try {
            int value = Integer.parseInt(n);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return Math.min(value, limits.listPageSize());
        } catch (NumberFormatException e) {
            throw new OciError(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer");
        }
    }
}
