package io.slipway.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.Names;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.signatures.SignatureService;
import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** The signature extension, {@code /extensions/v2/<name>/signatures/<digest>}: list (GET) and add (PUT). */
final class SignatureHandler implements RepositoryResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SignatureService signatureService;
    private final DistributionHandler.Audit audit;

    SignatureHandler(SignatureService signatureService, DistributionHandler.Audit audit) {
        this.signatureService = signatureService;
        this.audit = audit;
    }

    /** The digest and the method are checked before access is decided. */
    @Override
    public void precheck(String method, String reference) {
        Names.digest(reference);
        OciExchange.requireMethod(method, "GET", "PUT");
    }

    @Override
    public void serve(Call call, Request request, Response response) throws Exception {
        String name = call.repository();
        Digest digest = Names.digest(call.reference());
        if (request.getMethod().equals("GET")) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode list = body.putArray("signatures");
            for (MetadataStore.Signature sig : signatureService.list(name, digest)) {
                ObjectNode o = list.addObject();
                o.put("schemaVersion", 2);
                o.put("name", sig.name());
                o.put("type", sig.type());
                o.put("content", sig.content());
            }
            OciExchange.sendJson(request, response, 200, JSON.writeValueAsBytes(body));
            return;
        }
        byte[] raw = OciExchange.readLimited(request, 4 * SignatureService.MAX_SIGNATURE_BYTES);
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            throw new OciError(ErrorCode.SIZE_INVALID, "the signature is not JSON");
        }
        int version = body == null ? 0 : body.path("schemaVersion").asInt(body.path("version").asInt());
        if (!body.isObject() || version != 2 || !body.path("content").isTextual()) {
            throw new OciError(ErrorCode.UNSUPPORTED,
                    "expected {\"schemaVersion\":2,\"type\":\"atomic\",\"name\":…,\"content\":<base64>}");
        }
        byte[] content;
        try {
            content = body.get("content").binaryValue();
        } catch (IOException e) {
            throw new OciError(ErrorCode.SIZE_INVALID, "content is not base64");
        }
        String sigName = body.path("name").asText(digest + "@" + content.length);
        signatureService.add(name, digest, new MetadataStore.Signature(
                sigName.length() > 256 ? sigName.substring(0, 256) : sigName, body.path("type").asText("atomic"), content));
        audit.record(call.caller().subject(), "signature.add", name + "@" + digest, call.remote(), "ok");
        OciExchange.empty(response, 201);
    }
}
