package io.slipway.registry.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.trust.policy.PolicyDecision;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Kubernetes validating admission webhook: reads an AdmissionReview (v1), finds every
 * container, init container and ephemeral container image of a Pod or of a workload that embeds a
 * pod template, checks each under the image policies of the object's namespace, and answers
 * allowed, or denied with a message naming each image and the requirement it failed.
 *
 * <p>Each review is judged for the identity the API server authenticated as (a {@link
 * EnforcementService.Requester}): under its account's policies, and only for images it may pull.
 * A review from a caller that did not authenticate is denied whatever it holds, with no image
 * judged, so nothing of any tenant is told to it.
 */
public final class Admission {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EnforcementService enforcement;

    public Admission(EnforcementService enforcement) {
        this.enforcement = enforcement;
    }

    /** The answer to {@code review}; {@code requester} is null when the caller did not authenticate. */
    public ObjectNode review(JsonNode review, EnforcementService.Requester requester) {
        JsonNode request = review.path("request");
        if (!request.isObject() || !request.path("uid").isTextual()) {
            throw new IllegalArgumentException("not an AdmissionReview request (request.uid is missing)");
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"));
        answer.put("kind", "AdmissionReview");
        ObjectNode response = answer.putObject("response");
        response.put("uid", request.path("uid").asText());

        if (requester == null) {
            response.put("allowed", false);
            ObjectNode status = response.putObject("status");
            status.put("code", 401);
            status.put("reason", "Unauthorized");
            status.put("message", "slipway image policy: the webhook caller did not authenticate; give the API server a "
                    + "bearer API key of a service ID in the webhook's kubeconfig (see README, Image policies and admission)");
            return answer;
        }
        String operation = request.path("operation").asText("CREATE");
        JsonNode object = request.path("object");
        if (operation.equals("DELETE") || operation.equals("CONNECT") || !object.isObject()) {
            response.put("allowed", true);
            return answer;
        }
        String namespace = request.path("namespace").asText(object.path("metadata").path("namespace").asText("default"));
        JsonNode podSpec = podSpec(object.path("kind").asText(request.path("kind").path("kind").asText()), object);
        if (podSpec == null) {
            response.put("allowed", true); // not a kind that runs images
            return answer;
        }
        List<String> denials = new ArrayList<>();
        for (String image : images(podSpec)) {
            PolicyDecision decision = enforcement.check(requester, namespace, image);
            if (!decision.allowed()) {
                List<String> failed = new ArrayList<>();
                decision.failures().forEach(r -> failed.add(r.requirement() + ": " + r.message()));
                denials.add(image + " denied (" + String.join("; ", failed) + ")");
            }
        }
        response.put("allowed", denials.isEmpty());
        if (!denials.isEmpty()) {
            ObjectNode status = response.putObject("status");
            status.put("code", 403);
            status.put("reason", "Forbidden");
            status.put("message", "slipway image policy: " + String.join("; ", denials));
        }
        return answer;
    }

    /** The pod spec of a Pod or of the workload kinds that embed a pod template. */
    static JsonNode podSpec(String kind, JsonNode object) {
        JsonNode spec = object.path("spec");
        JsonNode found = switch (kind) {
            case "Pod" -> spec;
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController" ->
                    spec.path("template").path("spec");
            case "CronJob" -> spec.path("jobTemplate").path("spec").path("template").path("spec");
            default -> null;
        };
        return found == null || !found.isObject() ? null : found;
    }

    static Set<String> images(JsonNode podSpec) {
        Set<String> images = new LinkedHashSet<>();
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : podSpec.path(list)) {
                if (c.path("image").isTextual()) {
                    images.add(c.path("image").asText());
                }
            }
        }
        return images;
    }
}
