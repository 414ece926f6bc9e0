package io.slipway.registry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.auth.Authenticator;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.auth.LoginThrottle;
import io.slipway.registry.auth.Scope;
import io.slipway.registry.auth.TokenService;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.nio.ByteBuffer;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The token endpoint of the Docker token flow, {@code /token}: {@code GET} with Basic credentials
 * (or none, for public pulls), and the OAuth2 form {@code POST} ({@code grant_type=password}).
 * The token grants the intersection of what was asked and what the policies allow, never more.
 */
public final class TokenHandler extends Handler.Abstract {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenService tokens;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final DistributionHandler.Audit audit;

    public TokenHandler(TokenService tokens, Authenticator authenticator, Authorizer authorizer,
            DistributionHandler.Audit audit) {
        this.tokens = tokens;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.audit = audit;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!"/token".equals(request.getHttpURI().getPath())) {
            return false;
        }
        String method = request.getMethod();
        String remote = Request.getRemoteAddr(request);
        try {
            return issue(request, response, callback, method, remote);
        } catch (LoginThrottle.Throttled e) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
            send(response, callback, 429, error("TOOMANYREQUESTS", e.getMessage()));
            return true;
        }
    }

    private boolean issue(Request request, Response response, Callback callback, String method, String remote)
            throws Exception {
        Fields params;
        Optional<Principal> principal;
        boolean presented;
        if (method.equals("GET")) {
            params = Request.extractQueryParameters(request);
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            presented = authorization != null;
            principal = authenticator.basicHeader(authorization, remote);
        } else if (method.equals("POST")) {
            try {
                params = FormFields.getFields(request);
            } catch (RuntimeException e) {
                // "%ZZ", a truncated escape, a body past the form limits: the client's mistake, not ours.
                send(response, callback, 400, error("invalid_request",
                        "the body is not a valid application/x-www-form-urlencoded form"));
                return true;
            }
            String grant = params.getValue("grant_type");
            if (!"password".equals(grant)) {
                send(response, callback, 400, error("unsupported_grant_type", "only grant_type=password is supported"));
                return true;
            }
            presented = true;
            principal = authenticator.basic(params.getValue("username"), params.getValue("password"), remote);
        } else {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
            send(response, callback, 405, error("invalid_request", "use GET or POST"));
            return true;
        }
        String service = params.getValue("service");
        if (service != null && !service.equals(tokens.audience())) {
            send(response, callback, 400, error("invalid_request", "unknown service " + printable(service)));
            return true;
        }
        if (presented && principal.isEmpty()) {
            audit.record("unknown", "token", null, remote, "denied: bad credentials");
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"slipway\"");
            send(response, callback, 401, error("UNAUTHORIZED", "invalid credentials"));
            return true;
        }
        Principal p = principal.orElse(null);
        List<Scope> granted = new ArrayList<>();
        for (String scopeParam : params.getValuesOrEmpty("scope")) {
            for (Scope asked : Scope.parseAll(scopeParam)) {
                if (asked.catalog()) {
                    if (p != null) {
                        granted.add(Scope.registryCatalog());
                    }
                    continue;
                }
                EnumSet<Action> allowed = authorizer.allowed(p, asked.name());
                allowed.retainAll(asked.actions());
                if (!allowed.isEmpty()) {
                    granted.add(Scope.repository(asked.name(), allowed));
                }
            }
        }
        TokenService.Issued issued = tokens.issue(p == null ? "anonymous" : p.subject(), p == null ? -1 : p.id(),
                p == null ? null : p.account(), granted);
        ObjectNode body = JSON.createObjectNode();
        body.put("token", issued.token());
        body.put("access_token", issued.token());
        body.put("expires_in", issued.lifetime().toSeconds());
        body.put("issued_at", DateTimeFormatter.ISO_INSTANT.format(issued.issuedAt()));
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        send(response, callback, 200, body);
        return true;
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putArray("errors").addObject();
        e.put("code", code);
        e.put("message", message);
        body.put("error", code);
        body.put("error_description", message);
        io.slipway.registry.observe.RequestIds.stamp(body);
        return body;
    }

    private static void send(Response response, Callback callback, int status, ObjectNode body) throws Exception {
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static String printable(String s) {
        return (s.length() > 64 ? s.substring(0, 64) : s).replaceAll("[^\\x20-\\x7e]", "?");
    }
}
