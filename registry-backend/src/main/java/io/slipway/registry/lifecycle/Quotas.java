package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.registry.distribution.StorageGuard;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * Per-account quotas: the bytes an account stores and the bytes pulled from it per calendar month
 * (UTC). Storing is judged before the bytes are kept (see docs/storage-lifecycle.md for how shared
 * blobs count); a pull is counted and judged in one statement before the blob is sent.
 */
public final class Quotas {
    private final LifecycleStore store;
    private final Accounts accounts;
    private final Clock clock;

    Quotas(LifecycleStore store, Accounts accounts, Clock clock) {
        this.store = store;
        this.accounts = accounts;
        this.clock = clock;
    }

    String month() {
        return YearMonth.now(clock.withZone(ZoneOffset.UTC)).toString();
    }

    void beforeStoring(String repository, Digest digest, long bytes) {
        Accounts.Owner owner = accounts.owner(repository);
        if (owner == null) {
            return;
        }
        Long limit = store.quota(owner.accountId()).storageBytes();
        if (limit == null || bytes <= 0 && digest == null) {
            return;
        }
        if (digest != null && store.holds(owner.accountId(), digest)) {
            return;
        }
        long used = store.storageUsed(owner.accountId());
        if (used + bytes > limit) {
            throw new StorageGuard.Refusal("storage quota exceeded: the account owning " + owner.namespace()
                    + " may store " + Sizes.format(limit) + " and stores " + Sizes.format(used) + "; these "
                    + Sizes.format(bytes) + " would pass it (cr quota shows the account's use)");
        }
    }

    void beforePull(String repository, long bytes) {
        Accounts.Owner owner = accounts.owner(repository);
        if (owner == null) {
            return;
        }
        Long limit = store.quota(owner.accountId()).trafficBytes();
        String month = month();
        if (!store.addTraffic(owner.accountId(), month, bytes, limit)) {
            throw new StorageGuard.Refusal("pull traffic quota exceeded: the account owning "
                    + owner.namespace() + " may pull " + Sizes.format(limit) + " in " + month + " and has pulled "
                    + Sizes.format(store.traffic(owner.accountId(), month)) + "; this blob is "
                    + Sizes.format(bytes));
        }
    }
}
