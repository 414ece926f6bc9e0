package io.slipway.registry.api;

import static io.slipway.registry.api.ManagementRoute.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.enforcement.EnforcementService;
import io.slipway.registry.enforcement.PolicyStore;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyStore;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.trust.policy.ImagePolicy;
import io.slipway.trust.policy.PolicyDecision;
import io.slipway.trust.policy.PolicyKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Image policies and signer keys through the management API, and the policy check. Each policy and
 * key belongs to an account: its Managers write them, its principals read them, and nobody else
 * sees them (another account's answer exactly like missing ones). The administrator manages
 * ClusterImagePolicies and registry-wide keys ({@code "cluster": true}), which only it sees, and
 * may name any account. A decision is given only about images the caller may pull.
 */
public final class PolicyApi implements ManagementArea {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EnforcementService enforcement;
    private final Authorizer authorizer;
    private final TenancyStore tenancy;

    public PolicyApi(EnforcementService enforcement, Authorizer authorizer, TenancyStore tenancy) {
        this.enforcement = enforcement;
        this.authorizer = authorizer;
        this.tenancy = tenancy;
    }

    @Override
    public List<ManagementRoute> routes() {
        return List.of(
                route("GET", "/image-policies", call -> policies(call.caller(), call.query("account"))),
                route("POST", "/image-policies", call -> putPolicy(call.caller(), call.body())),
                route("DELETE", "/image-policies", call -> deletePolicy(call.caller(), call.query("kind"),
                        call.query("namespace"), call.query("name"), call.query("account"))),
                route("GET", "/signer-keys", call -> keys(call.caller(), call.query("account"))),
                route("POST", "/signer-keys", call -> putKey(call.caller(), call.body())),
                route("DELETE", "/signer-keys", call -> deleteKey(call.caller(), call.query("name"),
                        call.query("namespace"), call.flag("cluster"), call.query("account"))),
                route("GET", "/policy/check", call -> check(call.caller(), call.query("image"),
                        call.query("namespace"), call.query("account"))));
    }

    /**
     * The account a request is about: the named one (only the administrator may name another than
     * its own; for anyone else another account answers as one that does not exist) or the caller's.
     */
    private long account(Principal c, String name) {
        return authorizer.account(c, name).id();
    }

    /** The scope written to: the cluster (administrator only) or an account (its Managers). */
    private long writable(Principal c, boolean cluster, String accountName) {
        if (cluster) {
            if (!c.admin()) {
                throw TenancyException.denied("only the registry administrator manages cluster-wide policies and keys");
            }
            return PolicyStore.CLUSTER;
        }
        long account = account(c, accountName);
        if (!authorizer.managesAccount(c, account)) {
            throw TenancyException.denied("only a Manager may change image policies and signer keys");
        }
        return account;
    }

    private String accountName(long id) {
        if (id == PolicyStore.CLUSTER) {
            return null;
        }
        return tenancy.accounts().stream().filter(a -> a.id() == id).map(Account::name).findFirst().orElse(null);
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
        long account = writable(c, cluster, body.path("account").asText(null));
        enforcement.store().putPolicy(account, policy.kind().name(), cluster ? "" : policy.namespace(), policy.name(),
                doc.textValue(), c.subject());
        ObjectNode r = JSON.createObjectNode();
        r.put("kind", policy.kind().name());
        r.put("namespace", policy.namespace());
        r.put("name", policy.name());
        r.put("account", accountName(account));
        return r;
    }

    /** The caller's account's policies; for the administrator every account's and the cluster's. */
    public JsonNode policies(Principal c, String accountName) {
        List<PolicyStore.StoredPolicy> stored = c.admin() && accountName == null ? enforcement.store().allPolicies()
                : enforcement.store().policies(account(c, accountName));
        ArrayNode list = JSON.createArrayNode();
        for (PolicyStore.StoredPolicy p : stored) {
            ObjectNode o = list.addObject();
            o.put("kind", p.kind());
            o.put("account", accountName(p.accountId()));
            o.put("namespace", p.namespace());
            o.put("name", p.name());
            o.put("updatedBy", p.updatedBy());
            o.put("document", p.document());
        }
        return list;
    }

    public JsonNode deletePolicy(Principal c, String kind, String namespace, String name, String accountName) {
        boolean cluster = PolicyKind.CLUSTER_IMAGE_POLICY.name().equals(kind);
        long account = writable(c, cluster, accountName);
        if (!enforcement.store().deletePolicy(account, kind, namespace == null || cluster ? "" : namespace, name)) {
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
        boolean cluster = body.path("cluster").asBoolean(false);
        if (cluster && !namespace.isEmpty()) {
            throw TenancyException.invalid("a cluster-wide key has no namespace");
        }
        long account = writable(c, cluster, body.path("account").asText(null));
        try {
            EnforcementService.checkKey(name, key);
        } catch (RuntimeException e) {
            throw TenancyException.invalid("not a public key: " + e.getMessage());
        }
        enforcement.store().putKey(account, namespace, name, key, c.subject());
        return JSON.createObjectNode().put("name", name).put("namespace", namespace).put("account", accountName(account));
    }

    /** The caller's account's keys; the administrator's listing adds the cluster-wide ones. */
    public JsonNode keys(Principal c, String accountName) {
        long account = account(c, accountName);
        List<PolicyStore.StoredKey> stored = new ArrayList<>(enforcement.store().keys(account));
        if (c.admin()) {
            stored.addAll(enforcement.store().keys(PolicyStore.CLUSTER));
        }
        ArrayNode list = JSON.createArrayNode();
        for (PolicyStore.StoredKey k : stored) {
            list.addObject().put("name", k.name()).put("namespace", k.namespace()).put("account", accountName(k.accountId()))
                    .put("cluster", k.accountId() == PolicyStore.CLUSTER).put("updatedBy", k.updatedBy())
                    .put("publicKey", k.publicKey());
        }
        return list;
    }

    public JsonNode deleteKey(Principal c, String name, String namespace, boolean cluster, String accountName) {
        if (name == null) {
            throw TenancyException.invalid("name is required");
        }
        long account = writable(c, cluster, accountName);
        if (!enforcement.store().deleteKey(account, namespace == null ? "" : namespace, name)) {
            throw TenancyException.notFound("no signer key " + name);
        }
        return JSON.createObjectNode().put("removed", name);
    }

    /** Who a decision is for: the caller's account (or the one the administrator names) and its pull rights. */
    /**
     * The signatures of an image and the keys that verify them, for a caller who may pull it (the
     * caller checks that first); the keys are those of the account owning the image's namespace, whose
     * policies judge it, and the registry-wide ones.
     */
    public List<EnforcementService.SignatureCheck> signatureChecks(String repository, io.slipway.oci.Digest digest) {
        int slash = repository.indexOf('/');
        long account = slash <= 0 ? PolicyStore.CLUSTER : tenancy.namespace(repository.substring(0, slash))
                .map(n -> n.accountId()).orElse(PolicyStore.CLUSTER);
        return enforcement.signatureChecks(account, repository, digest);
    }

    public EnforcementService.Requester requester(Principal c, String accountName) {
        return new EnforcementService.Requester(account(c, accountName),
                repository -> authorizer.allowed(c, repository).contains(Action.PULL));
    }

    public JsonNode check(Principal c, String image, String namespace, String accountName) {
        if (image == null || image.isBlank()) {
            throw TenancyException.invalid("image is required");
        }
        PolicyDecision d;
        try {
            d = enforcement.check(requester(c, accountName), namespace == null ? "default" : namespace, image);
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
