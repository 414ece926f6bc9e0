package io.slipway.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.enforcement.Admission;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code POST /admission/v1/validate}: the validating admission webhook's endpoint. */
public final class AdmissionHandler extends Handler.Abstract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 3 * 1024 * 1024; // the API server's own request limit

    private final Admission admission;

    public AdmissionHandler(Admission admission) {
        this.admission = admission;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!"/admission/v1/validate".equals(request.getHttpURI().getPath())) {
            return false;
        }
        int status;
        byte[] body;
        if (!request.getMethod().equals("POST")) {
            status = 405;
            body = "{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":\"POST an AdmissionReview\"}]}".getBytes();
        } else {
            try {
                byte[] in = Content.Source.asInputStream(request).readNBytes(MAX_BODY + 1);
                if (in.length > MAX_BODY) {
                    throw new IllegalArgumentException("AdmissionReview larger than " + MAX_BODY + " bytes");
                }
                JsonNode review = JSON.readTree(in);
                body = JSON.writeValueAsBytes(admission.review(review == null ? JSON.createObjectNode() : review));
                status = 200;
            } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
                status = 400;
                var error = JSON.createObjectNode();
                error.putArray("errors").addObject().put("code", "INVALID").put("message", e.getMessage());
                body = JSON.writeValueAsBytes(error);
            }
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
