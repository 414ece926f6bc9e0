package io.slipway.registry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals — a request line it cannot parse, an ambiguous or encoded path ({@code %2e%2e},
 * {@code //}, {@code %00}), a URI or headers too long (414, 431), an exception escaping a handler —
 * answered in the registry's error shape ({@code {"errors":[{"code":…,"message":…}]}}) instead of
 * Jetty's HTML page. Clients of a registry read only that shape; an HTML body would be shown to
 * their users as garbage. The message is Jetty's reason for a client error and never an exception's
 * text for a server error (which could name internals).
 */
public final class OciErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    public OciErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
            Callback callback) throws IOException {
        String refusedPath = refusedPath(cause);
        byte[] body = refusedPath != null ? body(status, "NAME_INVALID", refusedPath)
                : body(status, code(request, status, message), message);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if ("HEAD".equals(request.getMethod())) {
            callback.succeeded();
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    /** Errors Jetty answers before a request exists (a request line or headers it cannot parse). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString()));
        return ByteBuffer.wrap(body(status, code(status), reason));
    }

    /** The error body of a status: an OCI-style code and a printable message. */
    static byte[] body(int status, String code, String message) {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode item = error.putArray("errors").addObject();
        item.put("code", code);
        item.put("message", message(status, message));
        try {
            return JSON.writeValueAsBytes(error);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A path under {@code /v2/} that Jetty refuses (an encoded {@code ..}, an empty segment, a NUL)
     * is a repository name outside the grammar: {@code NAME_INVALID}, as the registry's own check says.
     */
    static String code(Request request, int status, String message) {
        org.eclipse.jetty.http.HttpURI uri = request.getHttpURI();
        String path = uri == null ? null : uri.getPath();
        // Jetty's reason names the URI for an ambiguous segment, but not for a suspicious character
        // (a NUL): that one shows only as a violation recorded on the URI.
        boolean refusedUri = message != null && message.toLowerCase(java.util.Locale.ROOT).contains("uri")
                || uri != null && uri.hasViolations();
        if (status == 400 && refusedUri && path != null && path.startsWith("/v2/")) {
            return "NAME_INVALID";
        }
        return code(status);
    }

    /**
     * Jetty's reason when it refused a path it could not even decode (a NUL, {@code %00}): by then
     * it has replaced the request's URI with {@code /badMessage}, so the reason is all that is left.
     * The names in a registry path are repository and namespace names, so such a path is a name
     * outside the grammar, {@code NAME_INVALID}, as for an ambiguous segment.
     */
    private static String refusedPath(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null
                    && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("in path")) {
                return t.getMessage();
            }
        }
        return null;
    }

    static String code(int status) {
        return switch (status) {
            case 401 -> "UNAUTHORIZED";
            case 403 -> "DENIED";
            case 404 -> "NOT_FOUND";
            case 405 -> "UNSUPPORTED";
            case 408 -> "TIMEOUT";
            case 413 -> "SIZE_INVALID";
            case 414 -> "URI_TOO_LONG";
            case 429 -> "TOOMANYREQUESTS";
            case 431 -> "HEADERS_TOO_LARGE";
            case 503 -> "UNAVAILABLE";
            default -> status >= 500 ? "UNKNOWN" : "BAD_REQUEST";
        };
    }

    private static String message(int status, String message) {
        String reason = HttpStatus.getMessage(status);
        if (status >= 500 || message == null || message.isBlank()) {
            return reason.toLowerCase(java.util.Locale.ROOT);
        }
        String printable = message.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 200 ? printable.substring(0, 200) : printable;
    }
}
