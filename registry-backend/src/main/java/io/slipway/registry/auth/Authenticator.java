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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Turns presented credentials into a principal: {@code iamapikey} with an API key, or a user name
 * with its password.
 *
 * <p>Argon2 makes each check deliberately slow, so a credential that has just been verified is
 * remembered for a short while (by a SHA-256 of it, never the text). A remembered credential is
 * still looked up on every use — the key by its id, the user by its password hash — so a deleted
 * key, user or service ID is refused on the very next request on every node; only the hash is
 * saved. A failed credential is not remembered, so guessing stays expensive, and it is throttled
 * ({@link LoginThrottle}). An unknown user or key costs the same hash as a known one, so the time
 * of an answer does not tell which names exist. At most {@code concurrentHashes} hashes run at once;
 * a sign-in that cannot get a turn within a few seconds is answered "try again" (429).
 */
public final class Authenticator {
    private static final Duration REMEMBER = Duration.ofMinutes(2);
    private static final Duration HASH_WAIT = Duration.ofSeconds(5);

    private final TenancyStore store;
    private final Clock clock;
    private final LoginThrottle throttle;
    private final Semaphore hashes;
    private final Map<String, Remembered> recent = new ConcurrentHashMap<>();
    /** A hash of a random secret, checked against when there is no stored one, for equal work. */
    private final String decoy;

    /** What a verified credential was: the principal and the key (id) or password hash it matched. */
    private record Remembered(long principalId, long keyId, String passwordHash, Instant until) {
        /** Never the secret: a record's toString ends up in logs and exception messages. */
        @Override
        public String toString() {
            return "Remembered[principalId=" + principalId + ", keyId=" + keyId + ", until=" + until + "]";
        }

    }

    public Authenticator(TenancyStore store, Clock clock) {
        this(store, clock, LoginThrottle.defaults(clock), Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    public Authenticator(TenancyStore store, Clock clock, LoginThrottle throttle, int concurrentHashes) {
        this.store = store;
        this.clock = clock;
        this.throttle = throttle;
        this.hashes = new Semaphore(Math.max(1, concurrentHashes), true);
        this.decoy = Passwords.hash(Tenancy.lookup(Long.toString(System.nanoTime())));
    }

    /**
     * The principal {@code user} and {@code secret} name, or empty; {@code remote} is the client's
     * address. Throws {@link LoginThrottle.Throttled} when the principal or address must wait.
     */
    public Optional<Principal> basic(String user, String secret, String remote) {
        if (user == null || secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        String key = fingerprint(user, secret);
        Instant now = clock.instant();
        Remembered r = recent.get(key);
        if (r != null && now.isBefore(r.until())) {
            Optional<Principal> p = stillValid(user, secret, r);
            if (p.isPresent()) {
                return p;
            }
            recent.remove(key);
        }
        String who = user.equals(Tenancy.API_KEY_USER) ? "key:" + Tenancy.lookup(secret) : "user:" + user;
        String address = remote == null ? "unknown" : remote;
        throttle.check(who, address);
        Optional<Remembered> verified = hashing(() -> check(user, secret, now));
        if (verified.isEmpty()) {
            throttle.failed(who, address);
            return Optional.empty();
        }
        throttle.succeeded(who);
        if (recent.size() > 10_000) {
            recent.clear();
        }
        recent.put(key, verified.get());
        return store.principal(verified.get().principalId());
    }

    /** An API key alone (a bearer credential of the management API or the admission webhook). */
    public Optional<Principal> apiKey(String secret, String remote) {
        return basic(Tenancy.API_KEY_USER, secret, remote);
    }

    /** Parses an {@code Authorization: Basic …} header and authenticates it. */
    public Optional<Principal> basicHeader(String authorization, String remote) {
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
        return basic(decoded.substring(0, colon), decoded.substring(colon + 1), remote);
    }

    /** The remembered principal if the key or password it matched is still stored, unchanged. */
    private Optional<Principal> stillValid(String user, String secret, Remembered r) {
        if (r.keyId() >= 0) {
            Optional<ApiKey> key = store.apiKeyByLookup(Tenancy.lookup(secret));
            if (key.isEmpty() || key.get().id() != r.keyId() || key.get().principalId() != r.principalId()) {
                return Optional.empty();
            }
            return store.principal(r.principalId());
        }
        return store.user(user).filter(u -> u.id() == r.principalId() && r.passwordHash().equals(u.passwordHash()));
    }

    private interface Hashing<T> {
        T run();
    }

    private <T> T hashing(Hashing<T> work) {
        boolean acquired;
        try {
            acquired = hashes.tryAcquire(HASH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new LoginThrottle.Throttled("too many sign-ins at once; try again shortly", Duration.ofSeconds(1));
        }
        try {
            return work.run();
        } finally {
            hashes.release();
        }
    }

    private Optional<Remembered> check(String user, String secret, Instant now) {
        Instant until = now.plus(REMEMBER);
        if (user.equals(Tenancy.API_KEY_USER)) {
            Optional<ApiKey> key = store.apiKeyByLookup(Tenancy.lookup(secret));
            if (key.isPresent()) {
                return Passwords.verify(secret, key.get().hash())
                        ? Optional.of(new Remembered(key.get().principalId(), key.get().id(), null, until))
                        : Optional.empty();
            }
        } else {
            Optional<Principal> u = store.user(user);
            if (u.isPresent() && u.get().passwordHash() != null) {
                return Passwords.verify(secret, u.get().passwordHash())
                        ? Optional.of(new Remembered(u.get().id(), -1, u.get().passwordHash(), until))
                        : Optional.empty();
            }
        }
        Passwords.verify(secret, decoy); // the same work as for a name that exists
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
