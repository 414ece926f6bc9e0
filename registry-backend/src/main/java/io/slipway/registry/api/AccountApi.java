package io.slipway.registry.api;

import static io.slipway.registry.api.Bodies.JSON;
import static io.slipway.registry.api.Bodies.text;
import static io.slipway.registry.api.ManagementRoute.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.tenancy.Tenancy;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.util.List;

/** Accounts (the administrator's) and their namespaces (the account's Managers'). */
public final class AccountApi implements ManagementArea {
    private final Tenancy tenancy;
    private final TenancyStore store;
    private final MetadataStore metadata;
    private final CallerAccess access;

    AccountApi(Tenancy tenancy, MetadataStore metadata, CallerAccess access) {
        this.tenancy = tenancy;
        this.store = tenancy.store();
        this.metadata = metadata;
        this.access = access;
    }

    @Override
    public List<ManagementRoute> routes() {
        return List.of(
                route("GET", "/accounts", call -> accounts(call.caller())),
                route("POST", "/accounts", call -> createAccount(call.caller(), call.body())),
                route("GET", "/namespaces", call -> namespaces(call.caller())),
                route("POST", "/namespaces", call -> createNamespace(call.caller(), call.body())),
                route("PATCH", "/namespaces/{name}", call -> updateNamespace(call.caller(), call.name(), call.body())),
                route("DELETE", "/namespaces/{name}",
                        call -> deleteNamespace(call.caller(), call.name(), call.flag("force"))));
    }

    public JsonNode createAccount(Principal c, JsonNode body) {
        CallerAccess.requireAdmin(c);
        Account a = tenancy.createAccount(text(body, "name", true));
        return accountJson(a);
    }

    public JsonNode accounts(Principal c) {
        ArrayNode list = JSON.createArrayNode();
        for (Account a : store.accounts()) {
            if (c.admin() || a.id() == c.accountId()) {
                list.add(accountJson(a));
            }
        }
        return list;
    }

    public JsonNode createNamespace(Principal c, JsonNode body) {
        Account a = access.managedFor(c, body);
        Namespace ns = tenancy.createNamespace(text(body, "name", true), a, body.path("public").asBoolean(false));
        return namespaceJson(ns);
    }

    public JsonNode namespaces(Principal c) {
        ArrayNode list = JSON.createArrayNode();
        for (Namespace ns : store.namespaces(c.admin() ? null : c.accountId())) {
            if (c.admin() || access.authorizer().managesAccount(c, ns.accountId()) || access.authorizer().sees(c, ns)) {
                list.add(namespaceJson(ns));
            }
        }
        return list;
    }

    public JsonNode updateNamespace(Principal c, String name, JsonNode body) {
        Namespace ns = access.visibleNamespace(c, name);
        if (!access.authorizer().managesNamespace(c, ns)) {
            throw TenancyException.denied("only a Manager of namespace " + name + " may change it");
        }
        if (body.has("public")) {
            store.setPublic(name, body.get("public").asBoolean());
        }
        return namespaceJson(store.namespace(name).orElseThrow());
    }

    public JsonNode deleteNamespace(Principal c, String name, boolean force) {
        Namespace ns = access.visibleNamespace(c, name);
        if (!access.authorizer().managesNamespace(c, ns)) {
            throw TenancyException.denied("only a Manager of namespace " + name + " may remove it");
        }
        int images = metadata.images(name + "/").size();
        if (images > 0 && !force) {
            throw TenancyException.conflict("namespace " + name + " holds " + images
                    + " images; remove them first or ask again with force");
        }
        int repositories = metadata.deleteRepositories(name);
        store.deleteNamespace(name);
        ObjectNode result = JSON.createObjectNode();
        result.put("namespace", name);
        result.put("repositoriesRemoved", repositories);
        return result;
    }

    private static ObjectNode accountJson(Account a) {
        ObjectNode r = JSON.createObjectNode();
        r.put("name", a.name());
        r.put("created", a.created().toString());
        return r;
    }

    private static ObjectNode namespaceJson(Namespace ns) {
        ObjectNode r = JSON.createObjectNode();
        r.put("name", ns.name());
        r.put("account", ns.account());
        r.put("public", ns.isPublic());
        r.put("created", ns.created().toString());
        return r;
    }
}
