package io.slipway.registry.metadata;

import io.slipway.oci.Digest;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path of a registry node without a database round trip per pull: remembers what the
 * pull path asks most (a manifest by digest, the manifest a tag names, a blob link, that a
 * repository exists) in front of another {@link MetadataStore}, and forgets it all when anything
 * that may make it wrong changes.
 *
 * <p>Only what was found is remembered, never an absence, so additions (a push on another node)
 * need no invalidation. What can become wrong (a tag moved or deleted, a manifest, link or
 * repository deleted) raises the shared {@link MetadataStore#changeCount change counter} in the
 * transaction of the change. This node's own changes drop the cache at once; other nodes' changes
 * are noticed by polling the counter every {@link #POLL}. An entry is served only while the last
 * poll that completed began less than {@link #STALE} ago, so an answer is never older than
 * {@code STALE} relative to a change committed on another node: when polling stalls or the
 * database cannot be reached, every read goes to the database (and fails as it would).
 *
 * <p>Why a polled counter and not LISTEN/NOTIFY: it works the same on SQLite and PostgreSQL, has no
 * connection of its own to lose (a lost listener would silently stop invalidation), and its
 * bound holds by construction; one indexed one-row read per node every {@code POLL} costs nothing.
 */
public final class CachingMetadataStore implements MetadataStore {
    /** How often other nodes' changes are looked for. */
    public static final Duration POLL = Duration.ofMillis(100);
    /** The oldest a cached answer may be, relative to a change committed on another node. */
    public static final Duration STALE = Duration.ofMillis(500);
    /** Entries kept before the cache starts over (a few hundred bytes each). */
    private static final int LIMIT = 50_000;
    private static final Logger LOG = LoggerFactory.getLogger(CachingMetadataStore.class);

    private final MetadataStore store;
    /** Raised whenever the cache may be wrong; an entry of an older generation is not served. */
    private final AtomicLong generation = new AtomicLong();
    private final Map<Object, Entry> entries = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile long lastCount;
    /** System.nanoTime() at the start of the last poll that completed. */
    private volatile long lastPollStarted;
    private volatile boolean closed;

    private record Entry(Object value, long generation) {
    }

    private record ManifestKey(String repository, Digest digest) {
    }

    private record TagKey(String repository, String tag) {
    }

    private record LinkKey(String repository, Digest digest) {
    }

    private record RepositoryKey(String repository) {
    }

    public CachingMetadataStore(MetadataStore store) {
        this.store = store;
        this.lastPollStarted = System.nanoTime();
        this.lastCount = store.changeCount();
        this.poller = new Thread(this::poll, "metadata-changes");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        while (!closed) {
            try {
                Thread.sleep(POLL.toMillis());
                long started = System.nanoTime();
                long count = store.changeCount();
                if (count != lastCount) {
                    generation.incrementAndGet();
                    lastCount = count;
                }
                lastPollStarted = started;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The cache stops being served once STALE has passed; reads go to the database.
                LOG.debug("polling metadata changes failed: {}", e.toString());
            }
        }
    }

    /** The cached answer for {@code key}, or {@code load}'s, remembered when it found something. */
    @SuppressWarnings("unchecked")
    private <T> Optional<T> cached(Object key, Supplier<Optional<T>> load) {
        // Read before the database: an answer loaded while a change commits carries the
        // generation before it, and is dropped by the poll (or local write) that notices the change.
        long gen = generation.get();
        boolean fresh = System.nanoTime() - lastPollStarted < STALE.toNanos();
        if (fresh) {
            Entry e = entries.get(key);
            if (e != null && e.generation() == gen) {
                return Optional.of((T) e.value());
            }
        }
        Optional<T> loaded = load.get();
        if (loaded.isPresent()) {
            if (entries.size() >= LIMIT) {
                entries.clear();
            }
            entries.put(key, new Entry(loaded.get(), gen));
        }
        return loaded;
    }

    /** A change written through this node: nothing cached before it is served again. */
    private <T> T changing(Supplier<T> write) {
        try {
            return write.get();
        } finally {
            generation.incrementAndGet();
            entries.clear();
        }
    }

    @Override
    public long changeCount() {
        return store.changeCount();
    }

    // --- cached reads

    @Override
    public boolean repositoryExists(String repository) {
        return cached(new RepositoryKey(repository),
                () -> store.repositoryExists(repository) ? Optional.of(Boolean.TRUE) : Optional.empty()).isPresent();
    }

    @Override
    public OptionalLong linkedBlobSize(String repository, Digest digest) {
        Optional<Long> size = cached(new LinkKey(repository, digest), () -> {
            OptionalLong s = store.linkedBlobSize(repository, digest);
            return s.isPresent() ? Optional.of(s.getAsLong()) : Optional.empty();
        });
        return size.map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    @Override
    public Optional<ManifestRecord> manifest(String repository, Digest digest) {
        return cached(new ManifestKey(repository, digest), () -> store.manifest(repository, digest));
    }

    @Override
    public Optional<ManifestRecord> manifestByTag(String repository, String tag) {
        return cached(new TagKey(repository, tag), () -> store.manifestByTag(repository, tag));
    }

    // --- changes that may make a cached answer wrong

    @Override
    public boolean unlinkBlob(String repository, Digest digest) {
        return changing(() -> store.unlinkBlob(repository, digest));
    }

    @Override
    public void putManifest(ManifestRecord manifest, List<String> tags, Alongside alongside) {
        if (tags.isEmpty()) {
            store.putManifest(manifest, tags, alongside);
        } else {
            changing(() -> {
                store.putManifest(manifest, tags, alongside);
                return null;
            });
        }
    }

    @Override
    public boolean deleteManifest(String repository, Digest digest, Alongside alongside) {
        return changing(() -> store.deleteManifest(repository, digest, alongside));
    }

    @Override
    public boolean deleteTag(String repository, String tag, Alongside alongside) {
        return changing(() -> store.deleteTag(repository, tag, alongside));
    }

    @Override
    public int deleteRepositories(String namespace) {
        return changing(() -> store.deleteRepositories(namespace));
    }

    // --- everything else goes to the store as it is

    @Override
    public List<String> repositories(String last, int n) {
        return store.repositories(last, n);
    }

    @Override
    public void linkBlob(String repository, Digest digest, long size) {
        store.linkBlob(repository, digest, size);
    }

    @Override
    public Map<Digest, Long> linkedBlobSizes(String repository, Collection<Digest> digests) {
        return store.linkedBlobSizes(repository, digests);
    }

    @Override
    public List<String> repositoriesWithBlob(String namespace, Digest digest, int limit) {
        return store.repositoriesWithBlob(namespace, digest, limit);
    }

    @Override
    public List<String> tags(String repository, String last, int n) {
        return store.tags(repository, last, n);
    }

    @Override
    public List<ManifestRecord> referrers(String repository, Digest subject) {
        return store.referrers(repository, subject);
    }

    @Override
    public Set<Digest> existingManifests(String repository, Collection<Digest> digests) {
        return store.existingManifests(repository, digests);
    }

    @Override
    public List<ImageRow> images(String prefix) {
        return store.images(prefix);
    }

    @Override
    public java.util.Map<String, Long> repositoryIds(String prefix) {
        return store.repositoryIds(prefix);
    }

    @Override
    public ImagePage imagePage(ImageQuery query, int countAtMost) {
        return store.imagePage(query, countAtMost);
    }

    @Override
    public int imageCount(ImageQuery query) {
        return store.imageCount(query);
    }

    @Override
    public List<Attachment> attachments(java.util.Map<Long, ? extends Collection<Digest>> images) {
        return store.attachments(images);
    }

    @Override
    public boolean addSignature(String repository, Digest manifest, Signature signature) {
        return store.addSignature(repository, manifest, signature);
    }

    @Override
    public List<Signature> signatures(String repository, Digest manifest) {
        return store.signatures(repository, manifest);
    }

    @Override
    public void createUpload(UploadSession session) {
        store.createUpload(session);
    }

    @Override
    public Optional<UploadSession> upload(String id) {
        return store.upload(id);
    }

    @Override
    public boolean deleteUpload(String id) {
        return store.deleteUpload(id);
    }

    @Override
    public void finishUpload(String id, String repository, Digest digest, long size) {
        store.finishUpload(id, repository, digest, size);
    }

    @Override
    public int openUploadsIn(String repository) {
        return store.openUploadsIn(repository);
    }

    @Override
    public int openUploadsBy(String owner) {
        return store.openUploadsBy(owner);
    }

    @Override
    public List<UploadSession> uploadsStartedBefore(Instant cutoff) {
        return store.uploadsStartedBefore(cutoff);
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
        try {
            poller.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
