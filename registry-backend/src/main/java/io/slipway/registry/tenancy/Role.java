package io.slipway.registry.tenancy;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a policy grants: each role includes the ones before it. */
public enum Role {
    /** Pull and list. */
    READER("Reader", EnumSet.of(Action.PULL)),
    /** Also push and tag. */
    WRITER("Writer", EnumSet.of(Action.PULL, Action.PUSH)),
    /** Also delete, and manage namespaces, exemptions, retention and policies. */
    MANAGER("Manager", EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE));

    private final String label;
    private final Set<Action> actions;

    Role(String label, Set<Action> actions) {
        this.label = label;
        this.actions = actions;
    }

    public String label() {
        return label;
    }

    public Set<Action> actions() {
        return actions;
    }

    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.label.equalsIgnoreCase(text) || r.name().equalsIgnoreCase(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role \"" + text + "\": use Reader, Writer or Manager");
    }

    @Override
    public String toString() {
        return label;
    }

    /** Registry actions on a repository, as token scopes name them. */
    public enum Action {
        PULL, PUSH, DELETE;

        public String scopeName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Action fromScope(String s) {
            return switch (s) {
                case "pull" -> PULL;
                case "push" -> PUSH;
                case "delete" -> DELETE;
                default -> null;
            };
        }
    }
}
