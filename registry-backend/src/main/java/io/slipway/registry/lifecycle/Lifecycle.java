package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.StorageGuard;
import io.slipway.registry.storage.BlobStore;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.metadata.SqlDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The storage lifecycle of a registry: immutable tags and quotas judged before the distribution
 * services change anything (it is their {@link StorageGuard}), over the rows of
 * {@link LifecycleStore}.
 */
public final class Lifecycle implements StorageGuard {
    private final LifecycleStore store;
    private final ImmutableTags immutableTags;
    private final Quotas quotas;
    private final Accounts accounts;
    private final Trash trash;
    private final Collector collector;
    private final Retention retention;

    public Lifecycle(SqlDatabase database, MetadataStore metadata, BlobStore blobs, ManifestService manifests, Clock clock,
            Duration trashRetention, Duration gcGrace, String node) {
        this.store = new LifecycleStore(database);
        this.accounts = new Accounts(store);
        this.immutableTags = new ImmutableTags(store, metadata, accounts);
        this.quotas = new Quotas(store, accounts, clock);
        this.trash = new Trash(store, metadata, manifests, blobs, this, clock, trashRetention);
        this.collector = new Collector(database, blobs, clock, gcGrace, node);
        this.retention = new Retention(store, metadata, trash, this);
    }

    public Retention retention() {
        return retention;
    }

    public Trash trash() {
        return trash;
    }

    /** The account owning the repository's namespace, if the namespace exists. */
    public java.util.OptionalLong accountOf(String repository) {
        Accounts.Owner owner = accounts.owner(repository);
        return owner == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(owner.accountId());
    }

    /** The calendar month (UTC) pull traffic is counted in now, like {@code 2026-12}. */
    public String month() {
        return quotas.month();
    }

    /** Refuses an immutable-tag glob the rules cannot hold, saying what they accept. */
    public static String validGlob(String glob) {
        return ImmutableTags.validGlob(glob);
    }

    public LifecycleStore store() {
        return store;
    }

    Quotas quotas() {
        return quotas;
    }

    @Override
    public void beforeTagging(String repository, List<String> tags, Digest digest) {
        if (!tags.isEmpty()) {
            immutableTags.beforeTagging(repository, tags, digest);
        }
    }

    @Override
    public void beforeUntagging(String repository, String tag) {
        immutableTags.beforeUntagging(repository, tag);
    }

    @Override
    public void beforeManifestDelete(String repository, Digest digest) {
        immutableTags.beforeManifestDelete(repository, digest);
    }

    @Override
    public void beforeStoring(String repository, Digest digest, long bytes) {
        quotas.beforeStoring(repository, digest, bytes);
        if (digest != null) {
            collector.touch(List.of(digest), bytes, false);
        }
    }

    @Override
    public void beforeStoringManifest(String repository, Digest digest, long bytes) {
        quotas.beforeStoring(repository, digest, bytes);
        collector.touch(List.of(digest), bytes, true);
    }

    @Override
    public void beforeReferencing(String repository, List<Digest> digests) {
        collector.touch(digests, -1, false);
    }

    public Collector collector() {
        return collector;
    }

    @Override
    public void beforePull(String repository, long bytes) {
        quotas.beforePull(repository, bytes);
    }
}
