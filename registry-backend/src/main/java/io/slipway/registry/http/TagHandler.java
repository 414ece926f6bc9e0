package io.slipway.registry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.distribution.ManifestService;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/** {@code /v2/<name>/tags/list}: the repository's tags, a page at a time. */
final class TagHandler implements RepositoryResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ManifestService manifests;
    private final Limits limits;

    TagHandler(ManifestService manifests, Limits limits) {
        this.manifests = manifests;
        this.limits = limits;
    }

    @Override
    public void serve(Call call, Request request, Response response) throws Exception {
        OciExchange.requireMethod(request.getMethod(), "GET");
        String name = call.repository();
        Fields query = Request.extractQueryParameters(request);
        int n = OciExchange.pageSize(query.getValue("n"), limits);
        String last = query.getValue("last");
        List<String> page = n == 0 ? List.of() : manifests.tags(name, last, n + 1);
        if (n == 0) {
            manifests.tags(name, null, 1); // still answers NAME_UNKNOWN for a missing repository
        }
        boolean more = page.size() > n;
        List<String> shown = more ? page.subList(0, n) : page;
        ObjectNode body = JSON.createObjectNode();
        body.put("name", name);
        ArrayNode list = body.putArray("tags");
        shown.forEach(list::add);
        if (more) {
            response.getHeaders().put(HttpHeader.LINK, "</v2/" + name + "/tags/list?n=" + n + "&last="
                    + shown.get(shown.size() - 1) + ">; rel=\"next\"");
        }
        OciExchange.sendJson(request, response, 200, JSON.writeValueAsBytes(body));
    }
}
