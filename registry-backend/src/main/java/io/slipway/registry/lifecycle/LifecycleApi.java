package io.slipway.registry.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The storage lifecycle through the management API: immutable-tag rules (a namespace's Managers
 * write them, whoever sees the namespace reads them) and quotas (the administrator sets them, an
 * account's principals read their own). Another account's namespace or account answers exactly
 * like a missing one.
 */
public final class LifecycleApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCOPE = Pattern.compile("[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

    private final Lifecycle lifecycle;
    private final LifecycleStore store;
    private final Authorizer authorizer;
    private final TenancyStore tenancy;

    public LifecycleApi(Lifecycle lifecycle, Authorizer authorizer, TenancyStore tenancy) {
        this.lifecycle = lifecycle;
        this.store = lifecycle.store();
        this.authorizer = authorizer;
        this.tenancy = tenancy;
    }

    // --- immutable tags

    public JsonNode addImmutableRule(Principal c, JsonNode body) {
        String scope = scope(text(body, "scope", true));
        String glob = ImmutableTags.validGlob(text(body, "glob", true));
        Namespace ns = managedNamespace(c, scope);
        store.addRule(ns.accountId(), scope, glob, c.subject());
        return ruleJson(store.rules(ns.accountId()).stream()
                .filter(r -> r.scope().equals(scope) && r.glob().equals(glob)).findFirst().orElseThrow(), ns.account());
    }

    public JsonNode immutableRules(Principal c, String namespace, String account) {
        long accountId;
        String accountName;
        if (namespace != null) {
            Namespace ns = visibleNamespace(c, namespace);
            accountId = ns.accountId();
            accountName = ns.account();
        } else {
            Account a = authorizer.account(c, account);
            accountId = a.id();
            accountName = a.name();
        }
        ArrayNode list = JSON.createArrayNode();
        for (LifecycleStore.Rule r : store.rules(accountId)) {
            String ruleNamespace = r.scope().split("/", 2)[0];
            if (namespace != null && !namespace.equals(ruleNamespace)) {
                continue;
            }
            Optional<Namespace> ns = tenancy.namespace(ruleNamespace);
            if (ns.isPresent() && ns.get().accountId() == accountId && (c.admin() || authorizer.sees(c, ns.get())
                    || authorizer.managesAccount(c, accountId))) {
                list.add(ruleJson(r, accountName));
            }
        }
        return list;
    }

    public JsonNode deleteImmutableRule(Principal c, String scopeText, String glob) {
        String scope = scope(scopeText);
        Namespace ns = managedNamespace(c, scope);
        if (glob == null || !store.deleteRule(ns.accountId(), scope, glob)) {
            throw TenancyException.notFound("no immutable-tag rule " + (glob == null ? "" : "\"" + glob + "\" ")
                    + "on " + scope);
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("scope", scope);
        r.put("glob", glob);
        return r;
    }

    private static String scope(String scope) {
        if (scope == null || scope.length() > 255 || !SCOPE.matcher(scope).matches()) {
            throw TenancyException.invalid("the scope of a rule is NAMESPACE or NAMESPACE/REPOSITORY");
        }
        return scope;
    }

    /** The namespace of {@code scope} when the caller manages it; another account's answers as missing. */
    private Namespace managedNamespace(Principal c, String scope) {
        Namespace ns = visibleNamespace(c, scope.split("/", 2)[0]);
        if (!authorizer.managesNamespace(c, ns)) {
            throw TenancyException.denied("only a Manager of namespace " + ns.name() + " may change its immutable-tag rules");
        }
        return ns;
    }

    /** The management API's visibility rule for a namespace: the administrator, or a principal of its account who sees it. */
    private Namespace visibleNamespace(Principal c, String name) {
        Optional<Namespace> ns = tenancy.namespace(name);
        if (ns.isEmpty() || !(c.admin() || ns.get().accountId() == c.accountId() && authorizer.sees(c, ns.get()))) {
            throw TenancyException.notFound("no namespace " + name);
        }
        return ns.get();
    }

    private static ObjectNode ruleJson(LifecycleStore.Rule r, String account) {
        ObjectNode o = JSON.createObjectNode();
        o.put("scope", r.scope());
        o.put("glob", r.glob());
        o.put("account", account);
        o.put("createdBy", r.createdBy());
        o.put("created", Instant.ofEpochMilli(r.createdAt()).toString());
        return o;
    }

    // --- quotas

    public JsonNode quota(Principal c, String account) {
        Account a = authorizer.account(c, account);
        LifecycleStore.Quota q = store.quota(a.id());
        String month = lifecycle.quotas().month();
        ObjectNode r = JSON.createObjectNode();
        r.put("account", a.name());
        r.put("month", month);
        usage(r.putObject("storage"), q.storageBytes(), store.storageUsed(a.id()));
        usage(r.putObject("traffic"), q.trafficBytes(), store.traffic(a.id(), month));
        return r;
    }

    public JsonNode setQuota(Principal c, JsonNode body) {
        Account a = authorizer.account(c, text(body, "account", false));
        if (!c.admin()) {
            throw TenancyException.denied("only the registry administrator sets quotas");
        }
        String storage = text(body, "storage", false);
        String traffic = text(body, "traffic", false);
        if (storage == null && traffic == null) {
            throw TenancyException.invalid("name storage, traffic or both (a size like 500MB, or \"unlimited\")");
        }
        LifecycleStore.Quota old = store.quota(a.id());
        store.setQuota(a.id(), new LifecycleStore.Quota(storage == null ? old.storageBytes() : Sizes.parse(storage),
                traffic == null ? old.trafficBytes() : Sizes.parse(traffic)), c.subject());
        return quota(c, a.name());
    }

    private static void usage(ObjectNode o, Long limit, long used) {
        if (limit == null) {
            o.putNull("limit");
        } else {
            o.put("limit", limit);
        }
        o.put("used", used);
        o.put("limitText", limit == null ? "unlimited" : Sizes.format(limit));
        o.put("usedText", Sizes.format(used));
    }

    static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw TenancyException.invalid(field + " is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw TenancyException.invalid(field + " must be a string");
        }
        return v.textValue();
    }
}
