package io.slipway.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.enforcement.Admission;
import io.slipway.registry.enforcement.ImagePinning;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /admission/v1/validate}, the validating admission webhook, and
 * {@code POST /admission/v1/mutate}, the mutating one that pins images to the judged digests.
 */
public final class AdmissionHandler extends Handler.Abstract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 3 * 1024 * 1024; // the API server's own request limit

    private static final String VALIDATE = "/admission/v1/validate";
    private static final String MUTATE = "/admission/v1/mutate";

    private final Admission admission;
    private final ImagePinning pinning;

    public AdmissionHandler(Admission admission, ImagePinning pinning) {
        this.admission = admission;
        this.pinning = pinning;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (!VALIDATE.equals(path) && !MUTATE.equals(path)) {
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
                JsonNode parsed = review == null ? JSON.createObjectNode() : review;
                body = JSON.writeValueAsBytes(MUTATE.equals(path) ? pinning.review(parsed) : admission.review(parsed));
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
