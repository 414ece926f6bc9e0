package io.slipway.registry.observe;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of each request ({@code X-Request-Id}): the client's own when it sent a sane one (so a
 * request can be followed from a proxy or CI log into the registry's), a new random one otherwise.
 * It is echoed in the answer and carried, for the thread handling the request, to its log lines,
 * audit entries and error bodies.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";

    /** Letters, digits and a little punctuation, at most 128: what a log line or JSON can carry as is. */
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");

    /**
     * The request being handled by this thread. A thread-local rather than a parameter: the id
     * reaches code (audit, error bodies) that the handlers call with no request at hand, and the
     * handler tree runs each request's handling on one thread.
     */
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private RequestIds() {
    }

    /** The client's id when sane, else a new one. */
    public static String accept(String fromClient) {
        if (fromClient != null && SANE.matcher(fromClient).matches()) {
            return fromClient;
        }
        return UUID.randomUUID().toString();
    }

    /** The id of the request this thread handles, or null outside a request. */
    public static String current() {
        return CURRENT.get();
    }

    static void enter(String id) {
        CURRENT.set(id);
    }

    static void leave() {
        CURRENT.remove();
    }

    /** Adds the current request's id to an error body ({@code "requestId"} beside {@code "errors"}). */
    public static void stamp(com.fasterxml.jackson.databind.node.ObjectNode errorBody) {
        String id = current();
        if (id != null) {
            errorBody.put("requestId", id);
        }
    }
}
