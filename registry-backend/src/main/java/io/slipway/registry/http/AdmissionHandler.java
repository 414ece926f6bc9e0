package io.slipway.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.api.PolicyApi;
import io.slipway.registry.auth.Authenticator;
import io.slipway.registry.auth.LoginThrottle;
import io.slipway.registry.enforcement.Admission;
import io.slipway.registry.enforcement.EnforcementService;
import io.slipway.registry.enforcement.ImagePinning;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /admission/v1/validate}, the validating admission webhook, and
 * {@code POST /admission/v1/mutate}, the mutating one that pins images to the judged digests. The API server
 * authenticates with a bearer API key (or Basic credentials) from the webhook's kubeconfig; the
 * review is judged for that principal's account. A review without credentials is answered, but
 * denied, so a misconfigured cluster fails closed with a reason the user sees in kubectl.
 */
public final class AdmissionHandler extends Handler.Abstract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 3 * 1024 * 1024; // the API server's own request limit

    private static final String VALIDATE = "/admission/v1/validate";
    private static final String MUTATE = "/admission/v1/mutate";

    private final Admission admission;
    private final ImagePinning pinning;
    private final PolicyApi policies;
    private final Callers callers;

    public AdmissionHandler(Admission admission, ImagePinning pinning, PolicyApi policies, Authenticator authenticator,
            TenancyStore store, boolean open) {
        this.admission = admission;
        this.pinning = pinning;
        this.policies = policies;
        this.callers = new Callers(authenticator, store, open);
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
            ManagementHandler.closeIfUnread(request, response);
            body = "{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":\"POST an AdmissionReview\"}]}".getBytes();
        } else {
            try {
                byte[] in = Content.Source.asInputStream(request).readNBytes(MAX_BODY + 1);
                if (in.length > MAX_BODY) {
                    ManagementHandler.closeIfUnread(request, response);
                    throw new IllegalArgumentException("AdmissionReview larger than " + MAX_BODY + " bytes");
                }
                Principal caller = callers.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION),
                        Request.getRemoteAddr(request));
                JsonNode review = JSON.readTree(in);
                JsonNode parsed = review == null ? JSON.createObjectNode() : review;
                EnforcementService.Requester requester = caller == null ? null : policies.requester(caller, null);
                body = JSON.writeValueAsBytes(MUTATE.equals(path) ? pinning.review(parsed, requester)
                        : admission.review(parsed, requester));
                status = 200;
            } catch (LoginThrottle.Throttled e) {
                status = 429;
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
                body = JSON.writeValueAsBytes(error("TOOMANYREQUESTS", e.getMessage()));
            } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
                status = 400;
                body = JSON.writeValueAsBytes(error("INVALID", e.getMessage()));
            }
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private static JsonNode error(String code, String message) {
        var error = JSON.createObjectNode();
        error.putArray("errors").addObject().put("code", code).put("message", message);
        io.slipway.registry.observe.RequestIds.stamp(error);
        return error;
    }
}
