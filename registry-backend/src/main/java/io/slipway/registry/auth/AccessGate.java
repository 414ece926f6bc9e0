package io.slipway.registry.auth;

import io.slipway.registry.tenancy.Role.Action;
import java.util.function.Predicate;

/** What the distribution API asks before it acts: may this request do that to this repository? */
public interface AccessGate {

    /** Who is acting, for the audit log. */
    record Caller(String subject) {
        public static final Caller ANONYMOUS = new Caller("anonymous");
    }

    /**
     * The caller, when {@code authorization} (the request's header, maybe null) allows
     * {@code action} on {@code repository}; otherwise throws {@link AccessDenied}.
     * {@code realm} is the token endpoint's URL as the client reached this server.
     */
    Caller require(String authorization, String repository, Action action, String realm);

    /** Like {@link #require} but answers instead of throwing (a mount's source repository). */
    boolean allows(String authorization, String repository, Action action);

    /**
     * Requires any valid credentials, for the API root: clients (Jib, docker) discover the token
     * realm from the challenge {@code GET /v2/} answers.
     */
    void requireAuthenticated(String authorization, String realm);

    /** Which repositories the caller may list in {@code _catalog}; throws when it may not list. */
    Predicate<String> catalog(String authorization, String realm);

    /** The open registry of {@code --auth none}: everything is allowed to everyone. */
    static AccessGate open() {
        return new AccessGate() {
            @Override
            public Caller require(String authorization, String repository, Action action, String realm) {
                return Caller.ANONYMOUS;
            }

            @Override
            public boolean allows(String authorization, String repository, Action action) {
                return true;
            }

            @Override
            public void requireAuthenticated(String authorization, String realm) {
            }

            @Override
            public Predicate<String> catalog(String authorization, String realm) {
                return name -> true;
            }
        };
    }
}
