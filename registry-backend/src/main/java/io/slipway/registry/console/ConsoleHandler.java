package io.slipway.registry.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import io.slipway.registry.api.ManagementApi;
import io.slipway.registry.api.PolicyApi;
import io.slipway.registry.auth.Authenticator;
import io.slipway.registry.auth.LoginThrottle;
import io.slipway.registry.tenancy.Tenancy;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Registry Console at {@code /console/}: server-rendered pages (JTE templates compiled at build
 * time) with htmx served from its webjar by this handler, under a Content-Security-Policy that
 * allows nothing but this origin and no inline script or style.
 *
 * <p>Sign-in takes an API key or a user name and password through the same {@link Authenticator}
 * (and so the same {@link LoginThrottle}) as {@code /token}; the session is a cookie (HttpOnly,
 * SameSite=Strict, Secure under TLS) naming a row of {@link ConsoleSessions}. Every POST carries the
 * session's CSRF token or is refused. Everything shown or changed goes through {@link ManagementApi}
 * and {@link PolicyApi}, the management API's own operations with their tenancy and role checks,
 * so another account's objects answer here exactly as missing ones, as they do there.
 */
public final class ConsoleHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String COOKIE = "slipway_console";
    /** The token a sign-in form carries before there is a session (double submit: cookie and field). */
    static final String LOGIN_COOKIE = "slipway_console_login";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    private final ManagementApi api;
    private final Authenticator authenticator;
    private final TenancyStore store;
    private final ConsoleSessions sessions;
    private final ConsolePages pages;
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(null, ContentType.Html, null,
            "io.slipway.registry.console.templates");
    private final Map<String, Asset> assets;

    private record Asset(String contentType, byte[] bytes) {
    }

    public ConsoleHandler(ManagementApi api, ConsolePages pages, Authenticator authenticator, ConsoleSessions sessions) {
        this.api = api;
        this.pages = pages;
        this.authenticator = authenticator;
        this.store = api.store();
        this.sessions = sessions;
        this.assets = Map.of(
                "/console/assets/htmx.min.js", new Asset("text/javascript; charset=utf-8", htmx()),
                "/console/assets/console.css", new Asset("text/css; charset=utf-8", resource("console.css")));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (path == null || !(path.equals("/console") || path.startsWith("/console/"))) {
            return false;
        }
        String method = request.getMethod();
        secure(response);
        Principal caller = null;
        try {
            if (path.equals("/console") || path.equals("/console/")) {
                return redirect(response, callback, "/console/images");
            }
            Asset asset = assets.get(path);
            if (asset != null && method.equals("GET")) {
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "public, max-age=3600");
                return send(response, callback, 200, asset.contentType(), asset.bytes());
            }
            if (path.equals("/console/login")) {
                return login(request, response, callback, method);
            }
            Optional<ConsoleSessions.Session> session = sessions.find(cookie(request, COOKIE));
            if (session.isEmpty()) {
                if (method.equals("POST")) {
                    FormFields.getFields(request); // read the form, so the connection stays usable for the next request
                }
                return redirect(response, callback, "/console/login");
            }
            caller = session.get().principal();
            Fields query = Request.extractQueryParameters(request);
            if (method.equals("POST")) {
                Fields form = FormFields.getFields(request);
                if (!ConsoleSessions.same(form.getValue("csrf"), session.get().csrf())) {
                    store.audit(caller.subject(), "console.post " + path.substring(9), null, Request.getRemoteAddr(request),
                            "refused: no CSRF token");
                    return page(response, callback, 403, "problem", new Pages.Problem(pages.chrome(session.get(),
                            "Refused", ""), 403, "Refused", "This form was sent without its security token; "
                            + "reload the page and try again."));
                }
                if (path.equals("/console/logout")) {
                    sessions.close(cookie(request, COOKIE));
                    Response.addCookie(response, cookie(request, COOKIE, "", 0));
                    return redirect(response, callback, "/console/login?out=1");
                }
                if (path.equals("/console/api-keys")) {
                    // A new key is shown once, on the page that answers this form (never in a redirect's address).
                    ObjectNode body = JSON.createObjectNode().put(
                            "service".equals(form.getValue("kind")) ? "serviceId" : "user", required(form, "name"))
                            .put("description", trim(form.getValue("description")));
                    JsonNode created = api.iam().createApiKey(caller, body);
                    store.audit(caller.subject(), "console.post api-keys", body.toString(), Request.getRemoteAddr(request),
                            "ok");
                    return page(response, callback, 201, "access", pages.access(session.get(),
                            created.path("apiKey").asText(), null));
                }
                String target = post(path, form, session.get(), Request.getRemoteAddr(request));
                if (target == null) {
                    return notFound(response, callback, session.get());
                }
                return redirect(response, callback, target);
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
                return send(response, callback, 405, "text/plain; charset=utf-8", "use GET or POST\n".getBytes());
            }
            ConsoleSessions.Session s = session.get();
            switch (path) {
                case "/console/images": {
                    // htmx asks for the same page and takes the results region from it (hx-select)
                    return page(response, callback, 200, "images", pages.images(s, query));
                }
                case "/console/image": return page(response, callback, 200, "details", pages.details(s, query.getValue("ref")));
                case "/console/issues": return page(response, callback, 200, "issues",
                        pages.issues(s, query.getValue("ref"), query.getValue("page"), query.getValue("done")));
                case "/console/namespaces": return page(response, callback, 200, "namespaces",
                        pages.namespaces(s, query.getValue("done")));
                case "/console/access": return page(response, callback, 200, "access", pages.access(s, null, query.getValue("done")));
                case "/console/image-policies": return page(response, callback, 200, "image-policies",
                        pages.imagePolicies(s, query.getValue("done")));
                case "/console/storage": return page(response, callback, 200, "storage",
                        pages.storage(s, query.getValue("done")));
                case "/console/audit": return page(response, callback, 200, "audit",
                        pages.audit(s, query.getValue("actor"), query.getValue("action")));
                default: return notFound(response, callback, s);
            }
        } catch (LoginThrottle.Throttled e) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
            return loginPage(request, response, callback, 429, e.getMessage(), null);
        } catch (TenancyException e) {
            if (method.equals("POST") && caller != null) {
                store.audit(caller.subject(), "console.post " + path.substring(9), null, Request.getRemoteAddr(request),
                        "refused: " + e.getMessage());
            }
            Optional<ConsoleSessions.Session> s = sessions.find(cookie(request, COOKIE));
            String heading = switch (e.status()) {
                case 404 -> "Not found";
                case 403 -> "Refused";
                case 409 -> "Conflict";
                default -> "Cannot do this";
            };
            return page(response, callback, e.status(), "problem", new Pages.Problem(
                    s.map(x -> pages.chrome(x, heading, "")).orElse(null), e.status(), heading, e.getMessage()));
        } catch (IllegalArgumentException e) {
            return send(response, callback, 400, "text/plain; charset=utf-8",
                    ("bad request: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            LOG.error("{} {} failed", method, path, e);
            return send(response, callback, 500, "text/plain; charset=utf-8", "internal error\n".getBytes());
        }
    }

    /** Routes a state-changing form; the page to show next, or null for an unknown route. */
    private String post(String path, Fields form, ConsoleSessions.Session s, String remote) throws Exception {
        Principal c = s.principal();
        String ref = form.getValue("ref");
        String target;
        JsonNode body;
        switch (path) {
            case "/console/exemptions": {
                ObjectNode e = JSON.createObjectNode().put("scope", form.getValue("scope"))
                        .put("issueType", form.getValue("issueType")).put("issueId", trim(form.getValue("issueId")))
                        .put("reason", form.getValue("reason"));
                body = e;
                api.va().addExemption(c, e);
                target = issuesLink(ref, "exempted");
                break;
            }
            case "/console/exemptions/delete":
                body = JSON.createObjectNode().put("id", form.getValue("id"));
                api.va().deleteExemption(c, number(form.getValue("id")), null);
                target = issuesLink(ref, "removed");
                break;
            case "/console/rescan":
                body = JSON.createObjectNode().put("image", ref);
                pages.rescan(c, ref);
                target = issuesLink(ref, "rescan");
                break;
            case "/console/namespaces":
                body = JSON.createObjectNode().put("name", form.getValue("name"))
                        .put("public", "on".equals(form.getValue("public")));
                api.accounts().createNamespace(c, body);
                target = "/console/namespaces?done=created";
                break;
            case "/console/namespaces/delete":
                body = JSON.createObjectNode().put("name", form.getValue("name"));
                api.accounts().deleteNamespace(c, required(form, "name"), false);
                target = "/console/namespaces?done=deleted";
                break;
            case "/console/namespaces/public":
                body = JSON.createObjectNode().put("name", form.getValue("name"))
                        .put("public", "true".equals(form.getValue("public")));
                api.accounts().updateNamespace(c, required(form, "name"), JSON.createObjectNode().put("public",
                        "true".equals(form.getValue("public"))));
                target = "/console/namespaces?done=changed";
                break;
            case "/console/trash/restore":
                body = JSON.createObjectNode().put("image", form.getValue("image"));
                pages.restore(c, form.getValue("image"));
                target = "/console/storage?done=restored";
                break;
            case "/console/api-keys": // answered above: the key is shown on the page itself
                return null;
            case "/console/image-policies":
                body = JSON.createObjectNode().put("document", form.getValue("document"));
                pages.applyPolicy(c, form.getValue("document"));
                target = "/console/image-policies?done=applied";
                break;
            default:
                return null;
        }
        store.audit(c.subject(), "console.post " + path.substring(9), body.toString(), remote, "ok");
        return target;
    }

    private static String issuesLink(String ref, String done) {
        return "/console/issues?ref=" + q(ref == null ? "" : ref) + "&done=" + done;
    }

    // --- sign-in

    private boolean login(Request request, Response response, Callback callback, String method) throws Exception {
        if (method.equals("GET")) {
            String out = Request.extractQueryParameters(request).getValue("out");
            return loginPage(request, response, callback, 200, null, "1".equals(out) ? "You are signed out." : null);
        }
        if (!method.equals("POST")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
            return send(response, callback, 405, "text/plain; charset=utf-8", "use GET or POST\n".getBytes());
        }
        Fields form = FormFields.getFields(request);
        String remote = Request.getRemoteAddr(request);
        if (!ConsoleSessions.same(form.getValue("csrf"), cookie(request, LOGIN_COOKIE))) {
            return loginPage(request, response, callback, 403, "This form was sent without its security token; try again.", null);
        }
        String key = trim(form.getValue("apiKey"));
        String user = trim(form.getValue("user"));
        String password = form.getValue("password");
        Optional<Principal> principal;
        long keyId = -1;
        if (api.open()) {
            principal = store.user("admin"); // --auth none: everyone is the administrator, as on the API
        } else if (key != null) {
            principal = authenticator.apiKey(key, remote);
            if (principal.isPresent()) {
                keyId = store.apiKeyByLookup(Tenancy.lookup(key)).map(k -> k.id()).orElse(-1L);
            }
        } else {
            principal = authenticator.basic(user, password, remote);
        }
        if (principal.isEmpty()) {
            store.audit(user == null ? "unknown" : "user:" + user, "console.login", null, remote, "denied: bad credentials");
            return loginPage(request, response, callback, 401, "Those credentials were not accepted.", null);
        }
        ConsoleSessions.Opened opened = sessions.open(principal.get(), keyId);
        store.audit(principal.get().subject(), "console.login", null, remote, "ok");
        Response.addCookie(response, cookie(request, COOKIE, opened.secret(), sessions.lifetime().toSeconds()));
        Response.addCookie(response, cookie(request, LOGIN_COOKIE, "", 0));
        return redirect(response, callback, "/console/images");
    }

    private boolean loginPage(Request request, Response response, Callback callback, int status, String error,
            String notice) {
        String token = ConsoleSessions.random();
        Response.addCookie(response, cookie(request, LOGIN_COOKIE, token, 3600));
        return page(response, callback, status, "login", new Pages.Login(error != null ? error : notice, token,
                null, api.open()));
    }

    // --- answers

    private static void secure(Response response) {
        var h = response.getHeaders();
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        h.put("X-Frame-Options", "DENY");
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
    }

    private boolean notFound(Response response, Callback callback, ConsoleSessions.Session s) {
        return page(response, callback, 404, "problem", new Pages.Problem(pages.chrome(s, "Not found", ""), 404,
                "Not found", "There is no such page."));
    }

    private boolean page(Response response, Callback callback, int status, String template, Object model) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        templates.render("console/" + template + ".jte", model, out);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(out.getContentLength());
        try {
            out.writeTo(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return send(response, callback, status, "text/html; charset=utf-8", bytes.toByteArray());
    }

    private static boolean redirect(Response response, Callback callback, String location) {
        response.getHeaders().put(HttpHeader.LOCATION, location);
        return send(response, callback, 303, "text/plain; charset=utf-8", new byte[0]);
    }

    private static boolean send(Response response, Callback callback, int status, String type, byte[] bytes) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }

    private static String cookie(Request request, String name) {
        for (HttpCookie c : Request.getCookies(request)) {
            if (c.getName().equals(name)) {
                return c.getValue();
            }
        }
        return null;
    }

    private static HttpCookie cookie(Request request, String name, String value, long maxAge) {
        return HttpCookie.build(name, value).path("/console").httpOnly(true).secure(request.isSecure())
                .sameSite(HttpCookie.SameSite.STRICT).maxAge(maxAge).build();
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String required(Fields form, String field) {
        String v = trim(form.getValue(field));
        if (v == null) {
            throw TenancyException.invalid(field + " is required");
        }
        return v;
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException | NullPointerException e) {
            throw TenancyException.invalid("not a number: " + s);
        }
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** htmx from its webjar, at the version the build pinned (the webjar's folder names it). */
    private static byte[] htmx() {
        ClassLoader loader = ConsoleHandler.class.getClassLoader();
        try (InputStream props = loader.getResourceAsStream("META-INF/maven/org.webjars.npm/htmx.org/pom.properties")) {
            Properties p = new Properties();
            p.load(props);
            try (InputStream js = loader.getResourceAsStream("META-INF/resources/webjars/htmx.org/"
                    + p.getProperty("version") + "/dist/htmx.min.js")) {
                return js.readAllBytes();
            }
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the htmx webjar is not on the class path", e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ConsoleHandler.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing console resource " + name, e);
        }
    }

    /** For the page models: the query strings the pages link with. */
    static String query(List<String> pairs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            if (pairs.get(i + 1) == null || pairs.get(i + 1).isEmpty()) {
                continue;
            }
            b.append(b.length() == 0 ? "?" : "&").append(pairs.get(i)).append('=').append(q(pairs.get(i + 1)));
        }
        return b.toString();
    }
}
