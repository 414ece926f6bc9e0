package io.slipway.registry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.enforcement.EnforcementService;
import io.slipway.registry.enforcement.PolicyStore;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.trust.policy.ImagePolicy;
import io.slipway.trust.policy.PolicyDecision;
import io.slipway.trust.policy.PolicyKind;

/**
 * Image policies and signer keys through the management API, and the policy check. The
 * administrator manages ClusterImagePolicies and registry-wide keys; an account's Managers manage
 * ImagePolicies and namespace keys; anyone signed in may ask for a decision.
 */
public final class PolicyApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EnforcementService enforcement;
    private final Authorizer authorizer;

    public PolicyApi(EnforcementService enforcement, Authorizer authorizer) {
        this.enforcement = enforcement;
        this.authorizer = authorizer;
    }

    private void requireManager(Principal c, boolean cluster) {
        if (cluster ? !c.admin() : !authorizer.managesAccount(c, c.accountId())) {
            throw TenancyException.denied(cluster ? "only the registry administrator manages cluster-wide policies and keys"
                    : "only a Manager may change image policies");
        }
    }

    public JsonNode putPolicy(Principal c, JsonNode body) {
        JsonNode doc = body.get("document");
        if (doc == null || !doc.isTextual()) {
            throw TenancyException.invalid("document (the policy YAML) is required");
        }
        ImagePolicy policy;
        try {
            policy = EnforcementService.parseOne(doc.textValue());
        } catch (RuntimeException e) {
            throw TenancyException.invalid("invalid image policy: " + e.getMessage());
        }
        boolean cluster = policy.kind() == PolicyKind.CLUSTER_IMAGE_POLICY;
        requireManager(c, cluster);
        enforcement.store().putPolicy(policy.kind().name(), cluster ? "" : policy.namespace(), policy.name(),
                doc.textValue(), c.subject());
        ObjectNode r = JSON.createObjectNode();
        r.put("kind", policy.kind().name());
        r.put("namespace", policy.namespace());
        r.put("name", policy.name());
        return r;
    }

    public JsonNode policies(Principal c) {
        ArrayNode list = JSON.createArrayNode();
        for (PolicyStore.StoredPolicy p : enforcement.store().policies()) {
            ObjectNode o = list.addObject();
            o.put("kind", p.kind());
            o.put("namespace", p.namespace());
            o.put("name", p.name());
            o.put("updatedBy", p.updatedBy());
            o.put("document", p.document());
        }
        return list;
    }

    public JsonNode deletePolicy(Principal c, String kind, String namespace, String name) {
        boolean cluster = PolicyKind.CLUSTER_IMAGE_POLICY.name().equals(kind);
        requireManager(c, cluster);
        if (!enforcement.store().deletePolicy(kind, namespace == null ? "" : namespace, name)) {
            throw TenancyException.notFound("no such policy");
        }
        return JSON.createObjectNode().put("removed", name);
    }

    public JsonNode putKey(Principal c, JsonNode body) {
        String name = body.path("name").asText(null);
        String key = body.path("publicKey").asText(null);
        String namespace = body.path("namespace").asText("");
        if (name == null || key == null) {
            throw TenancyException.invalid("name and publicKey are required");
        }
        requireManager(c, namespace.isEmpty());
        try {
            EnforcementService.checkKey(name, key);
        } catch (RuntimeException e) {
            throw TenancyException.invalid("not a public key: " + e.getMessage());
        }
        enforcement.store().putKey(namespace, name, key, c.subject());
        return JSON.createObjectNode().put("name", name).put("namespace", namespace);
    }

    public JsonNode check(Principal c, String image, String namespace) {
        if (image == null || image.isBlank()) {
            throw TenancyException.invalid("image is required");
        }
        PolicyDecision d;
        try {
            d = enforcement.check(namespace == null ? "default" : namespace, image);
        } catch (IllegalArgumentException e) {
            throw TenancyException.invalid(e.getMessage());
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("image", d.image().toString());
        r.put("allowed", d.allowed());
        r.put("policy", d.policy());
        r.put("pattern", d.pattern());
        ArrayNode reasons = r.putArray("reasons");
        for (PolicyDecision.Reason reason : d.reasons()) {
            reasons.addObject().put("requirement", reason.requirement()).put("satisfied", reason.satisfied())
                    .put("message", reason.message());
        }
        return r;
    }
}
