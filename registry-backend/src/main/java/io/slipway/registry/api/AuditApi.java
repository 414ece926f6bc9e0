package io.slipway.registry.api;

import static io.slipway.registry.api.Bodies.JSON;
import static io.slipway.registry.api.ManagementRoute.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.tenancy.TenancyModel.AuditEntry;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.util.List;

/** The audit log, for the administrator: who did what, when and from where. */
public final class AuditApi implements ManagementArea {
    private final TenancyStore store;

    AuditApi(TenancyStore store) {
        this.store = store;
    }

    @Override
    public List<ManagementRoute> routes() {
        return List.of(route("GET", "/audit", call -> audit(call.caller(), call.number("limit", 100))));
    }

    public JsonNode audit(Principal c, int limit) {
        CallerAccess.requireAdmin(c);
        ArrayNode list = JSON.createArrayNode();
        for (AuditEntry e : store.auditLog(Math.max(1, Math.min(limit, 10_000)))) {
            ObjectNode r = list.addObject();
            r.put("at", e.at().toString());
            r.put("actor", e.actor());
            r.put("action", e.action());
            r.put("target", e.target());
            r.put("remote", e.remote());
            r.put("outcome", e.outcome());
            r.put("requestId", e.requestId());
        }
        return list;
    }
}
