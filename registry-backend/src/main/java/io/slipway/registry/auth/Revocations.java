package io.slipway.registry.auth;

import io.slipway.registry.tenancy.TenancyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a registry token's principal still stands behind it: the principal exists and no key or
 * grant of it was removed after the token was issued ({@link TenancyStore#tokensAfter}). The answer
 * is cached per principal for at most {@link #STALE}, and dropped at once when this node writes a
 * revocation, so a removal is effective on the next request on this node and within
 * {@link #STALE} on every other node sharing the database.
 */
public final class Revocations {
    /** How long another node's revocation may go unnoticed here. */
    public static final Duration STALE = Duration.ofMillis(500);
    private static final int LIMIT = 100_000;

    private final TenancyStore store;
    private final Clock clock;
    private final Map<Long, Known> known = new ConcurrentHashMap<>();

    private record Known(long tokensAfter, long generation, Instant read) {
    }

    public Revocations(TenancyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** True when a token of {@code principalId} issued at {@code issued} is still good. Anonymous (-1) always is. */
    public boolean stands(long principalId, Instant issued) {
        if (principalId < 0) {
            return true;
        }
        Instant now = clock.instant();
        long generation = store.revocations();
        Known k = known.get(principalId);
        if (k == null || k.generation() != generation || Duration.between(k.read(), now).compareTo(STALE) >= 0) {
            OptionalLong after = store.tokensAfter(principalId);
            if (after.isEmpty()) {
                // Not remembered: SQLite may give a deleted principal's id to the next one created,
                // and a remembered absence would refuse that new principal's tokens until STALE.
                return false;
            }
            k = new Known(after.getAsLong(), generation, now);
            if (known.size() > LIMIT) {
                known.clear();
            }
            known.put(principalId, k);
        }
        return issued.toEpochMilli() >= k.tokensAfter();
    }
}
