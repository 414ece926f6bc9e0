package io.slipway.registry.api;

import static io.slipway.registry.api.Bodies.JSON;
import static io.slipway.registry.api.Bodies.text;
import static io.slipway.registry.api.ManagementRoute.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.tenancy.Role;
import io.slipway.registry.tenancy.Tenancy;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.ApiKey;
import io.slipway.registry.tenancy.TenancyModel.Kind;
import io.slipway.registry.tenancy.TenancyModel.Policy;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.util.List;
import java.util.Optional;

/** Identity and access: who am I, users and service IDs, their API keys, and IAM policies. */
public final class IamApi implements ManagementArea {
    private final Tenancy tenancy;
    private final TenancyStore store;
    private final CallerAccess access;

    IamApi(Tenancy tenancy, CallerAccess access) {
        this.tenancy = tenancy;
        this.store = tenancy.store();
        this.access = access;
    }

    @Override
    public List<ManagementRoute> routes() {
        return List.of(
                route("GET", "/whoami", call -> whoami(call.caller())),
                route("POST", "/users", call -> createUser(call.caller(), call.body())),
                route("POST", "/service-ids", call -> createServiceId(call.caller(), call.body())),
                route("GET", "/principals", call -> principals(call.caller(), call.query("account"))),
                route("DELETE", "/service-ids/{name}",
                        call -> deletePrincipal(call.caller(), "service", call.name(), call.query("account"))),
                route("DELETE", "/users/{name}",
                        call -> deletePrincipal(call.caller(), "user", call.name(), call.query("account"))),
                route("GET", "/api-keys", call -> apiKeys(call.caller(), selector(call))),
                route("POST", "/api-keys", call -> createApiKey(call.caller(), call.body())),
                route("DELETE", "/api-keys/{name}", call -> deleteApiKey(call.caller(), call.id())),
                route("GET", "/policies", call -> policies(call.caller(), call.query("account"))),
                route("POST", "/policies", call -> createPolicy(call.caller(), call.body())),
                route("DELETE", "/policies/{name}", call -> deletePolicy(call.caller(), call.id())));
    }

    /** A key listing's owner, named in the query as a key request names it in its body. */
    private static JsonNode selector(ManagementRoute.Call call) {
        ObjectNode s = JSON.createObjectNode();
        for (String f : new String[] {"serviceId", "user", "account"}) {
            if (call.query(f) != null) {
                s.put(f, call.query(f));
            }
        }
        return s;
    }

    public JsonNode whoami(Principal c) {
        return principalJson(c);
    }

    // --- users and service IDs

    public JsonNode createUser(Principal c, JsonNode body) {
        Account a = access.managedFor(c, body);
        Principal u = tenancy.createUser(a, text(body, "name", true), text(body, "password", false), false);
        String role = text(body, "role", false);
        if (role != null) {
            tenancy.createPolicy(a, u, Role.parse(role), null, null);
        }
        return principalJson(u);
    }

    public JsonNode createServiceId(Principal c, JsonNode body) {
        Account a = access.managedFor(c, body);
        return principalJson(tenancy.createServiceId(a, text(body, "name", true)));
    }

    public JsonNode principals(Principal c, String account) {
        Account a = access.managed(c, account);
        ArrayNode list = JSON.createArrayNode();
        store.principals(a.id()).forEach(p -> list.add(principalJson(p)));
        return list;
    }

    public JsonNode deletePrincipal(Principal c, String kind, String name, String account) {
        Account a = access.managed(c, account);
        Principal p = tenancy.principal(a, Kind.of(kind), name);
        if (p.admin()) {
            throw TenancyException.denied("the administrator cannot be removed");
        }
        store.deletePrincipal(p.id());
        return principalJson(p);
    }

    // --- API keys

    public JsonNode createApiKey(Principal c, JsonNode body) {
        Principal owner = keyOwner(c, body);
        Tenancy.CreatedKey key = tenancy.createApiKey(owner, text(body, "description", false));
        ObjectNode result = apiKeyJson(key.record(), owner);
        result.put("apiKey", key.secret());
        return result;
    }

    public JsonNode apiKeys(Principal c, JsonNode selector) {
        Principal owner = keyOwner(c, selector);
        ArrayNode list = JSON.createArrayNode();
        tenancy.apiKeys(owner).forEach(k -> list.add(apiKeyJson(k, owner)));
        return list;
    }

    public JsonNode deleteApiKey(Principal c, long id) {
        // Keys are found through their owner so that another account's key id looks absent.
        for (Principal p : store.principals(c.accountId())) {
            for (ApiKey k : store.apiKeys(p.id())) {
                if (k.id() == id && (p.id() == c.id() || access.authorizer().managesAccount(c, p.accountId()))) {
                    store.deleteApiKey(id);
                    return apiKeyJson(k, p);
                }
            }
        }
        if (c.admin()) {
            for (Account a : store.accounts()) {
                for (Principal p : store.principals(a.id())) {
                    for (ApiKey k : store.apiKeys(p.id())) {
                        if (k.id() == id) {
                            store.deleteApiKey(id);
                            return apiKeyJson(k, p);
                        }
                    }
                }
            }
        }
        throw TenancyException.notFound("no API key " + id);
    }

    /** The principal a key request is about: a named service ID or user, or the caller. */
    private Principal keyOwner(Principal c, JsonNode body) {
        String service = body == null ? null : text(body, "serviceId", false);
        String user = body == null ? null : text(body, "user", false);
        if (service == null && user == null) {
            return c;
        }
        Account a = access.accountFor(c, body);
        Principal p = tenancy.principal(a, service != null ? Kind.SERVICE : Kind.USER, service != null ? service : user);
        if (p.id() != c.id()) {
            access.requireManager(c, a);
        }
        return p;
    }

    // --- IAM policies

    public JsonNode createPolicy(Principal c, JsonNode body) {
        Account a = access.managedFor(c, body);
        String service = text(body, "serviceId", false);
        String user = text(body, "user", false);
        if ((service == null) == (user == null)) {
            throw TenancyException.invalid("name exactly one of user or serviceId");
        }
        Principal p = tenancy.principal(a, service != null ? Kind.SERVICE : Kind.USER, service != null ? service : user);
        Policy policy = tenancy.createPolicy(a, p, Role.parse(text(body, "role", true)), text(body, "namespace", false),
                text(body, "repository", false));
        return policyJson(policy);
    }

    public JsonNode policies(Principal c, String account) {
        Account a = access.managed(c, account);
        ArrayNode list = JSON.createArrayNode();
        store.policiesInAccount(a.id()).forEach(p -> list.add(policyJson(p)));
        return list;
    }

    public JsonNode deletePolicy(Principal c, long id) {
        Optional<Policy> p = store.policy(id);
        if (p.isEmpty() || !access.authorizer().managesAccount(c, p.get().accountId())) {
            throw TenancyException.notFound("no policy " + id);
        }
        store.deletePolicy(id);
        return policyJson(p.get());
    }

    private static ObjectNode principalJson(Principal p) {
        ObjectNode r = JSON.createObjectNode();
        r.put("kind", p.kind().label);
        r.put("name", p.name());
        r.put("account", p.account());
        r.put("admin", p.admin());
        return r;
    }

    private static ObjectNode apiKeyJson(ApiKey k, Principal owner) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", k.id());
        r.put("owner", owner.kind().label + ":" + owner.name());
        r.put("account", owner.account());
        r.put("description", k.description());
        r.put("created", k.created().toString());
        return r;
    }

    private static ObjectNode policyJson(Policy p) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", p.id());
        r.put("role", p.role().label());
        r.put(p.kind() == Kind.SERVICE ? "serviceId" : "user", p.principal());
        r.put("namespace", p.namespace());
        r.put("repository", p.repository());
        r.put("created", p.created().toString());
        return r;
    }
}
