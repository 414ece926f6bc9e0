package io.slipway.registry.auth;

import io.slipway.registry.tenancy.Tenancy;
import io.slipway.registry.tenancy.TenancyModel.ApiKey;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns presented credentials into a principal: {@code iamapikey} with an API key, or a user name
 * with its password. Argon2 makes each check deliberately slow, so a credential that has just been
 * verified is remembered for a short while (by a SHA-256 of it, never the text); a failed one is
 * not, so guessing stays expensive.
 */
public final class Authenticator {
    private static final Duration REMEMBER = Duration.ofMinutes(2);

    private final TenancyStore store;
    private final Clock clock;
    private final Map<String, Remembered> recent = new ConcurrentHashMap<>();

    private record Remembered(long principalId, Instant until) {
    }

    public Authenticator(TenancyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public Optional<Principal> basic(String user, String secret) {
        if (user == null || secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        String key = fingerprint(user, secret);
        Instant now = clock.instant();
        Remembered r = recent.get(key);
        if (r != null && now.isBefore(r.until())) {
            Optional<Principal> p = store.principal(r.principalId());
            if (p.isPresent()) {
                return p;
            }
        }
        Optional<Principal> principal = check(user, secret);
        principal.ifPresent(p -> {
            if (recent.size() > 10_000) {
                recent.clear();
            }
            recent.put(key, new Remembered(p.id(), now.plus(REMEMBER)));
        });
        return principal;
    }

    /** Parses an {@code Authorization: Basic …} header and authenticates it. */
    public Optional<Principal> basicHeader(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        return basic(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    /** Forgets remembered credentials (after a key is deleted). */
    public void forget() {
        recent.clear();
    }

    private Optional<Principal> check(String user, String secret) {
        if (user.equals(Tenancy.API_KEY_USER)) {
            Optional<ApiKey> key = store.apiKeyByLookup(Tenancy.lookup(secret));
            if (key.isPresent() && Passwords.verify(secret, key.get().hash())) {
                return store.principal(key.get().principalId());
            }
            return Optional.empty();
        }
        Optional<Principal> u = store.user(user);
        if (u.isPresent() && u.get().passwordHash() != null && Passwords.verify(secret, u.get().passwordHash())) {
            return u;
        }
        return Optional.empty();
    }

    private static String fingerprint(String user, String secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(user.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(secret.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
