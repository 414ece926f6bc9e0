package io.slipway.registry.http;

import io.slipway.registry.auth.Authenticator;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;

/**
 * Who calls the management API or the admission webhook: an API key or a password (Basic), or an
 * API key as a bearer credential (what a kubeconfig's {@code token} sends). Registry tokens, the
 * JWTs of {@code /token}, are never taken here: they are for the registry API only. In an open
 * registry ({@code --auth none}) every caller is the administrator.
 */
final class Callers {
    private final Authenticator authenticator;
    private final TenancyStore store;
    private final boolean open;

    Callers(Authenticator authenticator, TenancyStore store, boolean open) {
        this.authenticator = authenticator;
        this.store = store;
        this.open = open;
    }

    /** The principal, or null; throws {@link io.slipway.registry.auth.LoginThrottle.Throttled} when it must wait. */
    Principal authenticate(String authorization, String remote) {
        if (open) {
            return store.user("admin").orElse(null);
        }
        if (authorization == null || isRegistryToken(authorization)) {
            return null;
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authenticator.apiKey(authorization.substring(7).trim(), remote).orElse(null);
        }
        return authenticator.basicHeader(authorization, remote).orElse(null);
    }

    /** A JWT (three dot-separated parts) as a bearer credential: a registry token, never an API key. */
    static boolean isRegistryToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return authorization.substring(7).trim().split("\\.", -1).length == 3;
    }
}
