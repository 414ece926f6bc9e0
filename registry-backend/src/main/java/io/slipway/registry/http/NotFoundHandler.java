package io.slipway.registry.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Everything outside the registry's routes: a JSON 404 in the same error shape. */
public final class NotFoundHandler extends Handler.Abstract {
    private static final byte[] BODY =
            "{\"errors\":[{\"code\":\"NOT_FOUND\",\"message\":\"no such endpoint\"}]}".getBytes(StandardCharsets.UTF_8);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(404);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.length);
        response.write(true, ByteBuffer.wrap(BODY), callback);
        return true;
    }
}
