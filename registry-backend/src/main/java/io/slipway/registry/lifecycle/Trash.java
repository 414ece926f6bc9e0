package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.metadata.ImageRow;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.storage.BlobStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The trash: {@code image-rm} (and retention) move an image here with its tags instead of
 * removing it; {@code image-restore} brings it back; after {@code trash.retention} it is forgotten,
 * and only then may garbage collection take its bytes. The manifest's bytes stay in the blob store
 * and its blobs stay linked to the repository while the entry lives, so a restore is a push of the
 * same manifest, validated as any push is.
 */
public final class Trash {
    private final LifecycleStore store;
    private final MetadataStore metadata;
    private final ManifestService manifests;
    private final BlobStore blobs;
    private final Lifecycle guard;
    private final Clock clock;
    private final Duration retention;

    /** What a restore brought back: the image, the tags set again, and the tags another image holds now. */
    public record Restored(String repository, Digest digest, List<String> tags, List<String> skipped) {
    }

    Trash(LifecycleStore store, MetadataStore metadata, ManifestService manifests, BlobStore blobs, Lifecycle guard,
            Clock clock, Duration retention) {
        this.store = store;
        this.metadata = metadata;
        this.manifests = manifests;
        this.blobs = blobs;
        this.guard = guard;
        this.clock = clock;
        this.retention = retention;
    }

    public Duration retention() {
        return retention;
    }

    /**
     * Moves an image of {@code repository} (owned by {@code accountId}) to the trash with every tag
     * pointing at it. Refused as a delete is (an immutable tag), before anything changes; the entry
     * is written before the image is removed, so a crash in between leaves it both live and
     * restorable, never lost.
     */
    public LifecycleStore.TrashEntry move(long accountId, String repository, Digest digest, String by) {
        ManifestRecord m = metadata.manifest(repository, digest).orElseThrow(() -> new OciError(
                ErrorCode.MANIFEST_UNKNOWN, "manifest " + digest + " is not in " + repository));
        guard.beforeManifestDelete(repository, digest);
        List<String> tags = new ArrayList<>();
        for (ImageRow row : metadata.images(repository)) {
            if (row.repository().equals(repository) && row.digest().equals(digest) && row.tag() != null) {
                tags.add(row.tag());
            }
        }
        LifecycleStore.TrashEntry entry = new LifecycleStore.TrashEntry(accountId, repository, digest, m.mediaType(),
                List.copyOf(tags), store.references(repository, digest), m.size(), by, clock.millis());
        store.putTrash(entry);
        manifests.delete(repository, digest.toString());
        return entry;
    }

    /** The entry {@code reference} (a digest, or a tag it had) names in the repository's trash, newest first. */
    public Optional<LifecycleStore.TrashEntry> find(String repository, String reference) {
        for (LifecycleStore.TrashEntry e : store.trashIn(repository)) {
            if (Digest.looksLikeDigest(reference) ? e.digest().toString().equals(reference) : e.tags().contains(reference)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Brings an entry back: the manifest is pushed again by digest with those of its tags that no
     * other image holds now (a tag moved since stays where it is, and is reported).
     */
    public Restored restore(LifecycleStore.TrashEntry e) throws IOException {
        byte[] content = blobs.readAll(e.digest(), (int) Math.max(e.size(), 1));
        if (content == null) {
            throw new OciError(ErrorCode.MANIFEST_UNKNOWN, "the stored bytes of " + e.repository() + "@"
                    + e.digest() + " are gone; it cannot be restored");
        }
        List<String> tags = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String tag : e.tags()) {
            Optional<ManifestRecord> now = metadata.manifestByTag(e.repository(), tag);
            if (now.isPresent() && !now.get().digest().equals(e.digest())) {
                skipped.add(tag);
            } else {
                tags.add(tag);
            }
        }
        manifests.put(e.repository(), e.digest().toString(), tags, e.mediaType(), content);
        store.deleteTrash(e.repository(), e.digest());
        return new Restored(e.repository(), e.digest(), List.copyOf(tags), List.copyOf(skipped));
    }

    /** Forgets the entries older than the retention; their bytes are then garbage collection's. */
    public int expire() {
        return store.expireTrash(clock.millis() - retention.toMillis());
    }
}
