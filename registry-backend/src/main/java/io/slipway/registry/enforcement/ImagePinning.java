package io.slipway.registry.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Reference;
import java.util.Base64;
import java.util.Map;

/**
 * The mutating admission webhook: judges every image as {@link Admission} does and, when all are
 * allowed, pins each container image to the digest that was judged with a JSONPatch
 * ({@code patchType: JSONPatch}, the patch base64-encoded, as the API server expects), so the
 * kubelet pulls exactly what was judged and a tag moved afterwards changes nothing. An image is
 * rewritten as written plus {@code @digest} ({@code host/ns/app:1.0@sha256:…}): the kubelet pulls by
 * the digest and the tag stays readable. A denial answers as the validating webhook does.
 */
public final class ImagePinning {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Admission admission;

    public ImagePinning(Admission admission) {
        this.admission = admission;
    }

    public ObjectNode review(JsonNode review) {
        Admission.Request request = Admission.read(review);
        if (request.podSpec() == null) {
            request.response().put("allowed", true);
            return request.answer();
        }
        Map<String, Admission.Verdict> verdicts = admission.judge(request.namespace(), request.podSpec());
        if (!Admission.deny(request, verdicts)) {
            return request.answer();
        }
        ArrayNode patch = JSON.createArrayNode();
        for (String list : Admission.CONTAINER_LISTS) {
            JsonNode containers = request.podSpec().path(list);
            for (int i = 0; i < containers.size(); i++) {
                JsonNode image = containers.get(i).path("image");
                if (!image.isTextual()) {
                    continue;
                }
                String pinned = pinned(image.asText(), verdicts.get(image.asText()));
                if (!pinned.equals(image.asText())) {
                    patch.addObject().put("op", "replace")
                            .put("path", request.podSpecPointer() + "/" + list + "/" + i + "/image")
                            .put("value", pinned);
                }
            }
        }
        if (!patch.isEmpty()) {
            request.response().put("patchType", "JSONPatch");
            try {
                request.response().put("patch", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(patch)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot write a JSONPatch", e);
            }
        }
        return request.answer();
    }

    /** The image as written, with the judged digest; an allowed image always has one. */
    private static String pinned(String image, Admission.Verdict verdict) {
        if (verdict == null || verdict.digest() == null) {
            throw new IllegalStateException("image " + image + " was allowed without a judged digest");
        }
        Reference ref = Reference.parse(image);
        if (verdict.digest().equals(ref.digest())) {
            return image;
        }
        return ref.withDigest(verdict.digest()).toString();
    }
}
