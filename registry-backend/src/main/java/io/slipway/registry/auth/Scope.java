package io.slipway.registry.auth;

import io.slipway.registry.tenancy.Role.Action;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A requested or granted access, in the Docker token flow's words:
 * {@code repository:<name>:<action>[,<action>…]} or {@code registry:catalog:*}.
 */
public record Scope(String type, String name, Set<Action> actions, boolean catalog) {

    public static Scope repository(String name, Set<Action> actions) {
        return new Scope("repository", name, actions.isEmpty() ? EnumSet.noneOf(Action.class) : EnumSet.copyOf(actions),
                false);
    }

    public static Scope registryCatalog() {
        return new Scope("registry", "catalog", EnumSet.noneOf(Action.class), true);
    }

    /**
     * Parses the scopes of one {@code scope} parameter (several may be space-separated). Unknown
     * types and actions are dropped, as the token specification allows: nothing unknown is granted.
     */
    public static List<Scope> parseAll(String text) {
        List<Scope> scopes = new ArrayList<>();
        if (text == null) {
            return scopes;
        }
        for (String one : text.trim().split("\\s+")) {
            Scope s = parse(one);
            if (s != null) {
                scopes.add(s);
            }
        }
        return scopes;
    }

    static Scope parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last == first) {
            return null;
        }
        String type = text.substring(0, first);
        int paren = type.indexOf('(');
        if (paren > 0) {
            type = type.substring(0, paren); // "repository(plugin)" is a repository
        }
        String name = text.substring(first + 1, last);
        String actionText = text.substring(last + 1);
        if (type.equals("registry") && name.equals("catalog")) {
            return registryCatalog();
        }
        if (!type.equals("repository") || name.isEmpty()) {
            return null;
        }
        EnumSet<Action> actions = EnumSet.noneOf(Action.class);
        for (String a : actionText.split(",")) {
            if (a.equals("*")) {
                actions.addAll(EnumSet.allOf(Action.class));
            } else {
                Action action = Action.fromScope(a.trim());
                if (action != null) {
                    actions.add(action);
                }
            }
        }
        return new Scope("repository", name, actions, false);
    }

    /** The scope as the token flow writes it. */
    public String text() {
        if (catalog) {
            return "registry:catalog:*";
        }
        return "repository:" + name + ":" + String.join(",", actions.stream().map(Action::scopeName).toList());
    }
}
