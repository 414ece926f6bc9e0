package io.slipway.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.api.ManagementApi;
import io.slipway.registry.api.ManagementArea;
import io.slipway.registry.api.ManagementRoute;
import io.slipway.registry.api.PolicyApi;
import io.slipway.registry.auth.Authenticator;
import io.slipway.registry.auth.LoginThrottle;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API at {@code /api/v1/}: JSON in and out, the caller authenticated by an API key
 * or password (Basic) or an API key as a bearer credential, errors in the registry's error shape.
 * Registry tokens (the JWTs of {@code /token}) are refused here: they grant repository access for
 * a few minutes and must not turn into a principal that mints permanent keys. Every change is
 * written to the audit log with who, what, when and from where.
 */
public final class ManagementHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final ManagementApi api;
    private final Callers callers;
    /** The routes by method and path; a path ending in {@code /{name}} is keyed without the name. */
    private final Map<String, ManagementRoute> routes = new LinkedHashMap<>();

    public ManagementHandler(ManagementApi api, PolicyApi policies, Authenticator authenticator,
            ManagementArea... moreAreas) {
        this.api = api;
        this.callers = new Callers(authenticator, api.store(), api.open());
        List<ManagementArea> areas = new ArrayList<>(api.areas());
        areas.add(policies);
        areas.addAll(List.of(moreAreas));
        for (ManagementArea area : areas) {
            for (ManagementRoute route : area.routes()) {
                String key = route.key().endsWith(ManagementRoute.NAME)
                        ? route.key().substring(0, route.key().length() - ManagementRoute.NAME.length()) : route.key();
                if (routes.put(key, route) != null) {
                    throw new IllegalStateException("two management routes for " + route.key());
                }
            }
        }
    }

    /** Every route served, as {@code METHOD /path} ({@code /{name}} for a named object): the access matrix's list. */
    public List<String> routes() {
        return routes.values().stream().map(ManagementRoute::key).toList();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (path == null || !path.startsWith("/api/v1/")) {
            return false;
        }
        String method = request.getMethod();
        String remote = Request.getRemoteAddr(request);
        Principal caller = null;
        boolean bodyRead = false;
        try {
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            caller = callers.authenticate(authorization, remote);
            if (caller == null) {
                closeIfUnread(request, response);
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"slipway\"");
                send(response, callback, 401, error("UNAUTHORIZED", Callers.isRegistryToken(authorization)
                        ? "registry tokens are for the registry API only; the management API takes an API key or a password"
                        : "authentication required"));
                return true;
            }
            Fields query = Request.extractQueryParameters(request);
            String p = path.substring("/api/v1".length());
            ManagementRoute route = routes.get(method + " " + p);
            String name = null;
            int slash = p.lastIndexOf('/');
            if (route == null && slash > 0 && slash < p.length() - 1) {
                route = routes.get(method + " " + p.substring(0, slash + 1));
                name = p.substring(slash + 1);
            }
            JsonNode body = null;
            InputStream stream = null;
            if (route != null && route.streamed()) {
                stream = Content.Source.asInputStream(request);
            } else if (method.equals("POST") || method.equals("PATCH")) {
                body = readJson(request);
                bodyRead = true;
            }
            if (route == null) {
                if (!bodyRead) {
                    closeIfUnread(request, response);
                }
                send(response, callback, 404, error("NOT_FOUND", "no such endpoint"));
                return true;
            }
            JsonNode result = route.operation().run(
                    new ManagementRoute.Call(caller, query::getValue, body, stream, name));
            if (!method.equals("GET")) {
                api.store().audit(caller.subject(), "api." + method.toLowerCase() + " " + path.substring(8),
                        summary(body, query), remote, "ok");
            }
            send(response, callback, method.equals("POST") ? 201 : 200, result);
        } catch (LoginThrottle.Throttled e) {
            closeIfUnread(request, response);
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
            send(response, callback, 429, error("TOOMANYREQUESTS", e.getMessage()));
        } catch (TenancyException e) {
            if (!method.equals("GET") && caller != null) {
                api.store().audit(caller.subject(), "api." + method.toLowerCase() + " " + path.substring(8), null,
                        remote, "refused: " + e.getMessage());
            }
            send(response, callback, e.status(), error(e.code(), e.getMessage()));
        } catch (IllegalArgumentException e) {
            send(response, callback, 400, error("INVALID", e.getMessage()));
        } catch (Exception e) {
            LOG.error("{} {} failed", method, path, e);
            send(response, callback, 500, error("UNKNOWN", "internal error"));
        }
        return true;
    }

    /**
     * A body the answer leaves unread (a refused caller's) cannot be skipped safely on a kept-alive
     * connection, so the connection ends with this answer, as the registry API's errors do.
     */
    static void closeIfUnread(Request request, Response response) {
        if (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    private static String summary(JsonNode body, Fields q) {
        if (body != null && body.isObject()) {
            ObjectNode copy = ((ObjectNode) body).deepCopy();
            copy.remove("password");
            return copy.toString();
        }
        return q.getSize() == 0 ? null : q.toString();
    }

    private static JsonNode readJson(Request request) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = Content.Source.asInputStream(request).readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw TenancyException.invalid("request body larger than " + MAX_BODY + " bytes");
        }
        out.write(bytes);
        if (out.size() == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(out.toByteArray());
            if (node == null || !node.isObject()) {
                throw TenancyException.invalid("the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw TenancyException.invalid("the request body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putArray("errors").addObject();
        e.put("code", code);
        e.put("message", message);
        io.slipway.registry.observe.RequestIds.stamp(body);
        return body;
    }

    private static void send(Response response, Callback callback, int status, JsonNode body) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }
}
