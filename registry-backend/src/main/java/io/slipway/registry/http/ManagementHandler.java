package io.slipway.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.api.ManagementApi;
import io.slipway.registry.auth.Authenticator;
import io.slipway.registry.auth.LoginThrottle;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern NAMED =
            Pattern.compile("^/api/v1/(namespaces|service-ids|users|api-keys|policies|exemptions|webhooks)/([^/]+)$");

    /** Where an administrator sends an advisory file for the running registry to import. */
    static final String ADVISORY_IMPORT = "/api/v1/va/db/import";

    private final ManagementApi api;
    private final Callers callers;

    private final io.slipway.registry.api.PolicyApi policies;
    private final io.slipway.registry.events.WebhookApi webhooks;

    public ManagementHandler(ManagementApi api, io.slipway.registry.api.PolicyApi policies,
            io.slipway.registry.events.WebhookApi webhooks, Authenticator authenticator) {
        this.api = api;
        this.policies = policies;
        this.webhooks = webhooks;
        this.callers = new Callers(authenticator, api.store(), api.open());
    }

    @FunctionalInterface
    private interface Operation {
        JsonNode run() throws Exception;
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
            Principal c = caller;
            Fields query = Request.extractQueryParameters(request);
            if (method.equals("POST") && path.equals(ADVISORY_IMPORT)) {
                // The body is the advisory file itself (OSV JSON or zip, Debian tracker, Alpine secdb),
                // streamed to a file, not a JSON document.
                JsonNode result = api.importAdvisories(c, query.getValue("name"), Content.Source.asInputStream(request));
                api.store().audit(c.subject(), "api.post va/db/import", summary(null, query), remote, "ok");
                send(response, callback, 201, result);
                return true;
            }
            JsonNode body = method.equals("POST") || method.equals("PATCH") ? readJson(request) : null;
            bodyRead = body != null;
            Operation op = route(method, path, query, body, c);
            if (op == null) {
                if (!bodyRead) {
                    closeIfUnread(request, response);
                }
                send(response, callback, 404, error("NOT_FOUND", "no such endpoint"));
                return true;
            }
            JsonNode result = op.run();
            if (!method.equals("GET")) {
                api.store().audit(c.subject(), "api." + method.toLowerCase() + " " + path.substring(8), summary(body, query),
                        remote, "ok");
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

    private Operation route(String method, String path, Fields q, JsonNode body, Principal c) {
        String p = path.substring("/api/v1".length());
        switch (method + " " + p) {
            case "GET /whoami": return () -> api.whoami(c);
            case "GET /accounts": return () -> api.accounts(c);
            case "POST /accounts": return () -> api.createAccount(c, body);
            case "GET /namespaces": return () -> api.namespaces(c);
            case "POST /namespaces": return () -> api.createNamespace(c, body);
            case "POST /users": return () -> api.createUser(c, body);
            case "POST /service-ids": return () -> api.createServiceId(c, body);
            case "GET /principals": return () -> api.principals(c, q.getValue("account"));
            case "GET /api-keys": return () -> api.apiKeys(c, selector(q));
            case "POST /api-keys": return () -> api.createApiKey(c, body);
            case "GET /policies": return () -> api.policies(c, q.getValue("account"));
            case "POST /policies": return () -> api.createPolicy(c, body);
            case "GET /images": return () -> api.images(c, q.getValue("restrict"), "true".equals(q.getValue("va")));
            case "GET /va": return () -> api.va(c, q.getValue("image"));
            case "GET /va/db": return () -> api.advisoryStatus(c);
            case "GET /image-policies": return () -> policies.policies(c, q.getValue("account"));
            case "POST /image-policies": return () -> policies.putPolicy(c, body);
            case "DELETE /image-policies": return () -> policies.deletePolicy(c, q.getValue("kind"),
                    q.getValue("namespace"), q.getValue("name"), q.getValue("account"));
            case "GET /signer-keys": return () -> policies.keys(c, q.getValue("account"));
            case "POST /signer-keys": return () -> policies.putKey(c, body);
            case "DELETE /signer-keys": return () -> policies.deleteKey(c, q.getValue("name"), q.getValue("namespace"),
                    "true".equals(q.getValue("cluster")), q.getValue("account"));
            case "GET /policy/check": return () -> policies.check(c, q.getValue("image"), q.getValue("namespace"),
                    q.getValue("account"));
            case "GET /exemptions": return () -> api.exemptions(c, q.getValue("scope"), q.getValue("account"));
            case "POST /exemptions": return () -> api.addExemption(c, body);
            case "GET /images/inspect": return () -> api.inspect(c, q.getValue("image"));
            case "POST /images/tag": return () -> api.tag(c, text(body, "source"), text(body, "target"));
            case "DELETE /images": return () -> api.deleteImage(c, q.getValue("image"));
            case "GET /audit": return () -> api.audit(c, parseInt(q.getValue("limit"), 100));
            case "GET /webhooks": return () -> webhooks.list(c, q.getValue("namespace"));
            case "POST /webhooks": return () -> webhooks.create(c, body);
            case "GET /webhook-deliveries": return () -> webhooks.deliveries(c, parseInt(q.getValue("webhook"), -1),
                    parseInt(q.getValue("limit"), 100));
            default: break;
        }
        Matcher m = NAMED.matcher(path);
        if (!m.matches()) {
            return null;
        }
        String kind = m.group(1);
        String name = m.group(2);
        return switch (method + " " + kind) {
            case "PATCH namespaces" -> () -> api.updateNamespace(c, name, body);
            case "DELETE namespaces" -> () -> api.deleteNamespace(c, name, "true".equals(q.getValue("force")));
            case "DELETE service-ids" -> () -> api.deletePrincipal(c, "service", name, q.getValue("account"));
            case "DELETE users" -> () -> api.deletePrincipal(c, "user", name, q.getValue("account"));
            case "DELETE api-keys" -> () -> api.deleteApiKey(c, parseInt(name, -1));
            case "DELETE policies" -> () -> api.deletePolicy(c, parseInt(name, -1));
            case "DELETE exemptions" -> () -> api.deleteExemption(c, parseInt(name, -1), q.getValue("account"));
            case "DELETE webhooks" -> () -> webhooks.delete(c, parseInt(name, -1));
            default -> null;
        };
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

    private static JsonNode selector(Fields q) {
        ObjectNode s = JSON.createObjectNode();
        for (String f : new String[] {"serviceId", "user", "account"}) {
            if (q.getValue(f) != null) {
                s.put(f, q.getValue(f));
            }
        }
        return s;
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || !v.isTextual()) {
            throw TenancyException.invalid(field + " is required");
        }
        return v.textValue();
    }

    private static int parseInt(String s, int otherwise) {
        try {
            return s == null ? otherwise : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw TenancyException.invalid("not a number: " + s);
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
