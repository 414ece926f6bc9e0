package io.slipway.registry.auth;

import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The token-authenticated registry: every request carries a bearer token from the token endpoint,
 * and only what its {@code access} claim grants is allowed, as long as the principal has lost no
 * key or grant since the token was issued ({@link Revocations}, cached, so a check costs map
 * lookups once the token has been verified).
 */
public final class TokenGate implements AccessGate {
    private final TokenService tokens;
    private final Authorizer authorizer;
    private final TenancyStore store;
    private final Revocations revocations;

    public TokenGate(TokenService tokens, Authorizer authorizer, TenancyStore store, Revocations revocations) {
        this.tokens = tokens;
        this.authorizer = authorizer;
        this.store = store;
        this.revocations = revocations;
    }

    /** The token's claims when it verifies and its principal has not been revoked since; else null. */
    private TokenService.Claims claims(String token) {
        TokenService.Claims claims = token == null ? null : tokens.verify(token);
        return claims != null && revocations.stands(claims.principalId(), claims.issued()) ? claims : null;
    }

    @Override
    public Caller require(String authorization, String repository, Action action, String realm) {
        String token = bearer(authorization);
        TokenService.Claims claims = claims(token);
        if (claims != null && claims.actionsOn(repository).contains(action)) {
            return new Caller(claims.subject());
        }
        String wanted = switch (action) {
            case PULL -> "pull";
            case PUSH -> "pull,push";
            case DELETE -> "delete";
        };
        String error = token == null ? "" : claims == null ? ",error=\"invalid_token\"" : ",error=\"insufficient_scope\"";
        throw new AccessDenied("Bearer realm=\"" + realm + "\",service=\"" + tokens.audience() + "\",scope=\"repository:"
                + repository + ":" + wanted + "\"" + error, repository, wanted);
    }

    @Override
    public boolean allows(String authorization, String repository, Action action) {
        String token = bearer(authorization);
        TokenService.Claims claims = claims(token);
        return claims != null && claims.actionsOn(repository).contains(action);
    }

    @Override
    public void requireAuthenticated(String authorization, String realm) {
        String token = bearer(authorization);
        if (claims(token) == null) {
            throw new AccessDenied("Bearer realm=\"" + realm + "\",service=\"" + tokens.audience() + "\""
                    + (token == null ? "" : ",error=\"invalid_token\""), "", "");
        }
    }

    @Override
    public Predicate<String> catalog(String authorization, String realm) {
        String token = bearer(authorization);
        TokenService.Claims claims = claims(token);
        if (claims == null || !claims.catalog()) {
            throw new AccessDenied("Bearer realm=\"" + realm + "\",service=\"" + tokens.audience()
                    + "\",scope=\"registry:catalog:*\"", "catalog", "*");
        }
        Optional<Principal> principal = store.principal(claims.principalId());
        return name -> authorizer.allowed(principal.orElse(null), name).contains(Action.PULL);
    }

    static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).trim();
    }
}
