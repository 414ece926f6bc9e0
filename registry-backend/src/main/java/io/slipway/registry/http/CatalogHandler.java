package io.slipway.registry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.auth.AccessGate;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.metadata.MetadataStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * The routes above any repository: the base {@code /v2/} (is this a registry, and who may use
 * it) and the catalog {@code /v2/_catalog} (the repositories the caller may pull).
 */
final class CatalogHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AccessGate gate;
    private final Challenge challenge;
    private final MetadataStore metadata;
    private final Limits limits;

    CatalogHandler(AccessGate gate, Challenge challenge, MetadataStore metadata, Limits limits) {
        this.gate = gate;
        this.challenge = challenge;
        this.metadata = metadata;
        this.limits = limits;
    }

    void base(Request request, Response response) throws Exception {
        OciExchange.requireMethod(request.getMethod(), "GET", "HEAD");
        gate.requireAuthenticated(OciExchange.authorization(request), challenge.realm(request));
        OciExchange.sendJson(request, response, 200, "{}".getBytes(StandardCharsets.UTF_8));
    }

    void catalog(Request request, Response response) throws Exception {
        OciExchange.requireMethod(request.getMethod(), "GET");
        Predicate<String> visible = gate.catalog(OciExchange.authorization(request), challenge.realm(request));
        Fields query = Request.extractQueryParameters(request);
        int n = OciExchange.pageSize(query.getValue("n"), limits);
        String last = query.getValue("last");
        // Only what the caller may pull is listed; pages are filled across hidden names.
        List<String> page = new ArrayList<>();
        String cursor = last;
        while (n > 0 && page.size() <= n) {
            List<String> batch = metadata.repositories(cursor, Math.max(100, n + 1));
            for (String repo : batch) {
                if (visible.test(repo)) {
                    page.add(repo);
                    if (page.size() > n) {
                        break;
                    }
                }
            }
            if (batch.size() < Math.max(100, n + 1)) {
                break;
            }
            cursor = batch.get(batch.size() - 1);
        }
        boolean more = page.size() > n;
        List<String> shown = more ? page.subList(0, n) : page;
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("repositories");
        shown.forEach(list::add);
        if (more) {
            response.getHeaders().put(HttpHeader.LINK, "</v2/_catalog?n=" + n + "&last="
                    + shown.get(shown.size() - 1) + ">; rel=\"next\"");
        }
        OciExchange.sendJson(request, response, 200, JSON.writeValueAsBytes(body));
    }
}
