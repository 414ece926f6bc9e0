package io.slipway.registry.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backoff for password and API key guessing, per principal (the user name or the key's lookup) and
 * per client address: after {@code free} failures in a row, each further failure doubles the wait
 * (1 s, 2 s, 4 s … up to {@code longest}) during which that principal or address is answered 429
 * with {@code Retry-After}. A success clears the principal's count; quiet for {@code longest}
 * clears any count. Kept per node: a cluster of n nodes allows at most n times the attempts.
 */
public final class LoginThrottle {
    /** The caller must wait {@code retryAfter} before trying again. */
    public static final class Throttled extends RuntimeException {
        private final Duration retryAfter;

        public Throttled(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        /** Whole seconds, at least one: what {@code Retry-After} says. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        }
    }

    private record Failures(int count, Instant last, Instant blockedUntil) {
    }

    private static final int LIMIT = 100_000;

    private final Clock clock;
    private final int freePerPrincipal;
    private final int freePerAddress;
    private final Duration longest;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock, int freePerPrincipal, int freePerAddress, Duration longest) {
        this.clock = clock;
        this.freePerPrincipal = freePerPrincipal;
        this.freePerAddress = freePerAddress;
        this.longest = longest;
    }

    /** Five failures per principal, fifty per address, waits up to fifteen minutes. */
    public static LoginThrottle defaults(Clock clock) {
        return new LoginThrottle(clock, 5, 50, Duration.ofMinutes(15));
    }

    /** Throws {@link Throttled} while the principal or the address must wait. */
    public void check(String principal, String address) {
        Instant now = clock.instant();
        for (String key : new String[] {"p:" + principal, "a:" + address}) {
            Failures f = failures.get(key);
            if (f != null && f.blockedUntil() != null && now.isBefore(f.blockedUntil())) {
                throw new Throttled("too many failed sign-ins; try again later", Duration.between(now, f.blockedUntil()));
            }
        }
    }

    public void failed(String principal, String address) {
        if (failures.size() > LIMIT) {
            failures.clear(); // a flood of distinct names: forget rather than grow without bound
        }
        record("p:" + principal, freePerPrincipal);
        record("a:" + address, freePerAddress);
    }

    public void succeeded(String principal) {
        failures.remove("p:" + principal);
    }

    private void record(String key, int free) {
        Instant now = clock.instant();
        failures.compute(key, (k, f) -> {
            int count = f == null || Duration.between(f.last(), now).compareTo(longest) > 0 ? 1 : f.count() + 1;
            Instant until = null;
            if (count > free) {
                long seconds = 1L << Math.min(30, count - free - 1);
                until = now.plus(Duration.ofSeconds(seconds).compareTo(longest) > 0 ? longest : Duration.ofSeconds(seconds));
            }
            return new Failures(count, now, until);
        });
    }
}
