package io.slipway.registry.events;

import static io.slipway.registry.api.ManagementRoute.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The webhook operations of the management API ({@code /api/v1/webhooks}, {@code /api/v1/webhook-deliveries}):
 * a namespace's Managers subscribe it, list, remove and inspect its subscriptions; the administrator
 * alone subscribes to the audit log. A subscription belongs to the namespace's account, and another
 * account's answers exactly like a missing one. The signing secret is shown once, at creation.
 */
public final class WebhookApi implements io.slipway.registry.api.ManagementArea {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WebhookStore store;
    private final TenancyStore tenancy;
    private final Authorizer authorizer;
    private final TargetPolicy targets;

    public WebhookApi(WebhookStore store, TenancyStore tenancy, Authorizer authorizer, TargetPolicy targets) {
        this.store = store;
        this.tenancy = tenancy;
        this.authorizer = authorizer;
        this.targets = targets;
    }

    @Override
    public java.util.List<io.slipway.registry.api.ManagementRoute> routes() {
        return java.util.List.of(
                route("GET", "/webhooks", call -> list(call.caller(), call.query("namespace"))),
                route("POST", "/webhooks", call -> create(call.caller(), call.body())),
                route("DELETE", "/webhooks/{name}", call -> delete(call.caller(), call.id())),
                route("GET", "/webhook-deliveries", call -> deliveries(call.caller(), call.number("webhook", -1),
                        call.number("limit", 100))));
    }

    public JsonNode create(Principal c, JsonNode body) {
        Set<String> events = events(body.get("events"));
        String namespace;
        long account;
        if (events.contains(EventRecorder.AUDIT)) {
            if (!c.admin()) {
                throw TenancyException.denied("only the administrator may subscribe to the audit log");
            }
            if (events.size() > 1 || body.hasNonNull("namespace")) {
                throw TenancyException.invalid("an audit subscription is registry-wide: name no namespace and no other events");
            }
            namespace = null;
            account = c.accountId();
        } else {
            String name = text(body, "namespace");
            Namespace ns = visibleNamespace(c, name);
            if (!authorizer.managesNamespace(c, ns)) {
                throw TenancyException.denied("only a Manager of namespace " + name + " may subscribe to its events");
            }
            namespace = ns.name();
            account = ns.accountId();
        }
        URI url = checkTarget(text(body, "url"));
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = "whsec_" + HexFormat.of().formatHex(random);
        WebhookStore.Subscription s = store.create(account, namespace, url.toString(), events, secret, c.subject());
        ObjectNode result = json(s);
        result.put("secret", secret);
        return result;
    }

    /** The subscriptions the caller manages (the administrator: all), optionally of one namespace. */
    public JsonNode list(Principal c, String namespace) {
        if (namespace != null) {
            visibleNamespace(c, namespace);
        }
        ArrayNode list = JSON.createArrayNode();
        for (WebhookStore.Subscription s : store.list(c.admin() ? null : c.accountId())) {
            if ((namespace == null || namespace.equals(s.namespace())) && manages(c, s)) {
                list.add(json(s));
            }
        }
        return list;
    }

    public JsonNode delete(Principal c, long id) {
        WebhookStore.Subscription s = managed(c, id, "remove");
        store.delete(s.id());
        return json(s);
    }

    public JsonNode deliveries(Principal c, long id, int limit) {
        WebhookStore.Subscription s = managed(c, id, "read the deliveries of");
        ArrayNode list = JSON.createArrayNode();
        for (WebhookStore.Delivery d : store.deliveries(s.id(), Math.max(1, Math.min(limit, 1000)))) {
            ObjectNode r = list.addObject();
            r.put("id", d.id());
            r.put("webhook", d.webhookId());
            r.put("eventId", d.eventId());
            r.put("event", d.type());
            r.put("state", d.state());
            r.put("attempts", d.attempts());
            r.put("created", d.created().toString());
            if (d.delivered() != null) {
                r.put("delivered", d.delivered().toString());
            } else if (WebhookStore.PENDING.equals(d.state())) {
                r.put("nextAttempt", d.nextAttempt().toString());
            }
            if (d.lastStatus() != null) {
                r.put("lastStatus", d.lastStatus());
            }
            if (d.lastError() != null) {
                r.put("lastError", d.lastError());
            }
        }
        return list;
    }

    /** A subscription the caller may manage; another account's, or the administrator's to anyone else, is missing. */
    private WebhookStore.Subscription managed(Principal c, long id, String verb) {
        Optional<WebhookStore.Subscription> found = store.get(id);
        if (found.isEmpty() || !c.admin() && (found.get().accountId() != c.accountId() || found.get().namespace() == null)) {
            throw TenancyException.notFound("no webhook " + id);
        }
        WebhookStore.Subscription s = found.get();
        if (!manages(c, s)) {
            throw TenancyException.denied("only a Manager of namespace " + s.namespace() + " may " + verb + " its webhooks");
        }
        return s;
    }

    private boolean manages(Principal c, WebhookStore.Subscription s) {
        if (c.admin()) {
            return true;
        }
        if (s.namespace() == null || s.accountId() != c.accountId()) {
            return false;
        }
        Optional<Namespace> ns = tenancy.namespace(s.namespace());
        return ns.isPresent() && ns.get().accountId() == s.accountId() ? authorizer.managesNamespace(c, ns.get())
                : authorizer.managesAccount(c, s.accountId());
    }

    /** The namespace as the management API shows it (the rule of its namespace routes): another account's is missing. */
    private Namespace visibleNamespace(Principal c, String name) {
        Optional<Namespace> ns = tenancy.namespace(name);
        if (ns.isEmpty() || !(c.admin() || ns.get().accountId() == c.accountId() && authorizer.sees(c, ns.get()))) {
            throw TenancyException.notFound("no namespace " + name);
        }
        return ns.get();
    }

    private URI checkTarget(String url) {
        try {
            URI uri = targets.checkUrl(url);
            targets.resolve(uri.getHost());
            return uri;
        } catch (TargetPolicy.Refused e) {
            throw TenancyException.invalid(e.getMessage());
        } catch (UnknownHostException e) {
            throw TenancyException.invalid("cannot resolve the webhook target's host: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw TenancyException.invalid(e.getMessage());
        }
    }

    /** {@code ["push","delete"]} or {@code "push,delete"}; an unknown name is refused with the accepted ones. */
    static Set<String> events(JsonNode node) {
        Set<String> names = new LinkedHashSet<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> names.add(n.asText().trim()));
        } else if (node != null && node.isTextual()) {
            for (String n : node.asText().split(",")) {
                if (!n.isBlank()) {
                    names.add(n.trim());
                }
            }
        }
        if (names.isEmpty()) {
            throw TenancyException.invalid("events is required: some of " + new TreeSet<>(EventRecorder.NAMES));
        }
        for (String n : names) {
            if (!EventRecorder.NAMES.contains(n)) {
                throw TenancyException.invalid("unknown event '" + n + "'; events are " + new TreeSet<>(EventRecorder.NAMES));
            }
        }
        return names;
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw TenancyException.invalid(field + " is required");
        }
        return v.asText();
    }

    private static ObjectNode json(WebhookStore.Subscription s) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", s.id());
        if (s.namespace() != null) {
            r.put("namespace", s.namespace());
        }
        r.put("url", s.url());
        s.events().forEach(r.putArray("events")::add);
        r.put("createdBy", s.createdBy());
        r.put("created", s.created().toString());
        return r;
    }
}
