package io.slipway.registry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.OciError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the registry API's errors: the OCI error JSON with the status of its {@link ErrorCode}. */
final class OciErrors {
    private static final Logger LOG = LoggerFactory.getLogger(OciErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A failure that is not one of the specification's codes. */
    record Failure(int status, String code, String message) {
    }

    static final Failure UNAVAILABLE = new Failure(503, "UNAVAILABLE", "metadata store unavailable");
    static final Failure INTERNAL = new Failure(500, "UNKNOWN", "internal error");
    static final Failure STORAGE_FULL = new Failure(io.slipway.registry.distribution.StorageFull.STATUS, "DENIED",
            io.slipway.registry.distribution.StorageFull.MESSAGE);

    private OciErrors() {
    }

    static void write(Request request, Response response, Callback callback, OciError e) {
        ErrorCode code = e.code();
        if (code.status() >= 500) {
            LOG.warn("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), e.getMessage());
        }
        ObjectNode error = JSON.createObjectNode();
        ObjectNode item = error.putArray("errors").addObject();
        item.put("code", code.wireCode());
        item.put("message", e.getMessage());
        if (e.detail() != null) {
            item.set("detail", JSON.valueToTree(e.detail()));
        }
        e.headers().forEach((k, v) -> response.getHeaders().put(k, "Location".equals(k) ? PublicUrls.location(request, v) : v));
        send(request, response, callback, code.status(), error);
    }

    static void write(Request request, Response response, Callback callback, Failure f) {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode item = error.putArray("errors").addObject();
        item.put("code", f.code());
        item.put("message", f.message());
        send(request, response, callback, f.status(), error);
    }

    private static void send(Request request, Response response, Callback callback, int status, ObjectNode error) {
        io.slipway.registry.observe.RequestIds.stamp(error);
        if (response.isCommitted()) {
            callback.failed(new IOException("error after the answer began"));
            return;
        }
        // Keep the error headers (Range, Location) but drop anything a half-built success set.
        for (String h : List.of("Content-Length", "Content-Range", "Docker-Content-Digest", "ETag")) {
            if (!"Content-Range".equals(h) || status != 416) {
                response.getHeaders().remove(h);
            }
        }
        // An unread request body (a refused upload) cannot be reused safely on this connection.
        if (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        try {
            byte[] body = JSON.writeValueAsBytes(error);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            if (request.getMethod().equals("HEAD")) {
                callback.succeeded();
            } else {
                response.write(true, ByteBuffer.wrap(body), callback);
            }
        } catch (IOException ex) {
            callback.failed(ex);
        }
    }
}
