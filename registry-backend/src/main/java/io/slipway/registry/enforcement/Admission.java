package io.slipway.registry.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.trust.policy.PolicyDecision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes validating admission webhook: reads an AdmissionReview (v1), finds every
 * container, init container and ephemeral container image of a Pod or of a workload that embeds a
 * pod template, checks each under the image policies of the object's namespace, and answers
 * allowed, or denied with a message naming each image and the requirement it failed. The mutating
 * webhook ({@link ImagePinning}) judges through {@link #judge} the same way.
 */
public final class Admission {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");

    private final EnforcementService enforcement;

    public Admission(EnforcementService enforcement) {
        this.enforcement = enforcement;
    }

    /**
     * One image's verdict.
     *
     * @param digest the manifest digest that was judged (what the image is pinned to), or null when
     *               none could be established
     * @param denial why it is denied, or null when allowed
     */
    public record Verdict(String image, Digest digest, String denial) {
        public boolean allowed() {
            return denial == null;
        }
    }

    /**
     * An AdmissionReview request read: the answer being built, and the pod spec to judge (null when
     * the object runs no images, or the operation needs no judgement).
     *
     * @param podSpecPointer the JSON pointer of the pod spec inside the object, e.g. {@code /spec/template/spec}
     */
    record Request(ObjectNode answer, ObjectNode response, String namespace, JsonNode podSpec, String podSpecPointer) {
    }

    public ObjectNode review(JsonNode review) {
        Request request = read(review);
        if (request.podSpec() == null) {
            request.response().put("allowed", true);
            return request.answer();
        }
        deny(request, judge(request.namespace(), request.podSpec()));
        return request.answer();
    }

    /**
     * Sets {@code allowed}, and on a denial the Status naming every denied image; true when allowed.
     */
    static boolean deny(Request request, Map<String, Verdict> verdicts) {
        List<String> denials = new ArrayList<>();
        verdicts.values().stream().filter(v -> !v.allowed()).forEach(v -> denials.add(v.image() + " denied (" + v.denial() + ")"));
        ObjectNode response = request.response();
        response.put("allowed", denials.isEmpty());
        if (!denials.isEmpty()) {
            ObjectNode status = response.putObject("status");
            status.put("code", 403);
            status.put("reason", "Forbidden");
            status.put("message", "slipway image policy: " + String.join("; ", denials));
        }
        return denials.isEmpty();
    }

    /** Reads the request part of an AdmissionReview and starts the answer; bad input throws. */
    static Request read(JsonNode review) {
        JsonNode request = review.path("request");
        if (!request.isObject() || !request.path("uid").isTextual()) {
            throw new IllegalArgumentException("not an AdmissionReview request (request.uid is missing)");
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"));
        answer.put("kind", "AdmissionReview");
        ObjectNode response = answer.putObject("response");
        response.put("uid", request.path("uid").asText());

        String operation = request.path("operation").asText("CREATE");
        JsonNode object = request.path("object");
        if (operation.equals("DELETE") || operation.equals("CONNECT") || !object.isObject()) {
            return new Request(answer, response, null, null, null);
        }
        String namespace = request.path("namespace").asText(object.path("metadata").path("namespace").asText("default"));
        String pointer = podSpecPointer(object.path("kind").asText(request.path("kind").path("kind").asText()));
        JsonNode podSpec = pointer == null ? null : object.at(pointer);
        if (podSpec == null || !podSpec.isObject()) {
            return new Request(answer, response, namespace, null, null); // not a kind that runs images
        }
        return new Request(answer, response, namespace, podSpec, pointer);
    }

    /** Every distinct image of the pod spec, judged once each, in the order they appear. */
    public Map<String, Verdict> judge(String namespace, JsonNode podSpec) {
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        for (String image : images(podSpec)) {
            verdicts.put(image, judgeOne(namespace, image));
        }
        return verdicts;
    }

    private Verdict judgeOne(String namespace, String image) {
        PolicyDecision decision;
        try {
            decision = enforcement.check(namespace, image);
        } catch (IllegalArgumentException e) {
            return new Verdict(image, null, "image: not a valid image reference: " + e.getMessage());
        }
        if (decision.allowed()) {
            return new Verdict(image, decision.image().manifestDigest(), null);
        }
        List<String> failed = new ArrayList<>();
        decision.failures().forEach(r -> failed.add(r.requirement() + ": " + r.message()));
        return new Verdict(image, null, String.join("; ", failed));
    }

    /** Where the pod spec of a Pod, or of the workload kinds that embed a pod template, is. */
    static String podSpecPointer(String kind) {
        return switch (kind) {
            case "Pod" -> "/spec";
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController" -> "/spec/template/spec";
            case "CronJob" -> "/spec/jobTemplate/spec/template/spec";
            default -> null;
        };
    }

    static Set<String> images(JsonNode podSpec) {
        Set<String> images = new LinkedHashSet<>();
        for (String list : CONTAINER_LISTS) {
            for (JsonNode c : podSpec.path(list)) {
                if (c.path("image").isTextual()) {
                    images.add(c.path("image").asText());
                }
            }
        }
        return images;
    }
}
