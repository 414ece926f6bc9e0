package io.slipway.registry.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.oci.InvalidManifestException;
import io.slipway.oci.Manifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Tag;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.storage.BlobStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Manifests, tags and referrers. A manifest is accepted only when it parses, its digest matches
 * the one it is pushed by, and every blob and child manifest it references is already readable in
 * the repository; it is then stored as a blob and recorded, with its tag, in one transaction.
 */
public final class ManifestService {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONFIG_READ_LIMIT = 1 << 20;
    private static final long CACHE_BYTES = 64L << 20;

    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final Limits limits;
    private final Clock clock;

    // Manifests are immutable by digest, so their bytes may be cached without invalidation; the
    // metadata lookup before every read (CachingMetadataStore's, within its staleness bound)
    // decides whether the manifest is still there.
    private final Map<Digest, byte[]> cache = new ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<ManifestRecord> onPush = r -> { };
    private final AtomicLong cachedBytes = new AtomicLong();

    private volatile StorageGuard guard = StorageGuard.NONE;

    /** What refuses a change the storage lifecycle forbids (immutable tags, quotas). */
    public void guard(StorageGuard guard) {
        this.guard = guard;
    }

    /** A manifest to serve. */
    public record Found(ManifestRecord record, byte[] content) {
    }

    /** The answer to a manifest push. */
    public record Pushed(Digest digest, Digest subject, List<String> tags) {
    }

    public ManifestService(BlobStore blobs, MetadataStore metadata, Limits limits, Clock clock) {
        this.blobs = blobs;
        this.metadata = metadata;
        this.limits = limits;
        this.clock = clock;
    }

    public Pushed put(String repository, String reference, String contentType, byte[] content) throws IOException {
        return put(repository, reference, List.of(), contentType, content);
    }

    /**
     * Stores a manifest pushed by tag or by digest; {@code extraTags} are the {@code ?tag=}
     * parameters of a push by digest, all set in the same transaction.
     */
    public Pushed put(String repository, String reference, List<String> extraTags, String contentType, byte[] content)
            throws IOException {
        return put(repository, reference, extraTags, contentType, content, digest -> MetadataStore.Alongside.NONE);
    }

    /**
     * {@link #put(String, String, List, String, byte[])}, with what {@code recorded} makes of the
     * manifest's digest (the push's audit entry and events) written in the transaction that stores it.
     */
    public Pushed put(String repository, String reference, List<String> extraTags, String contentType, byte[] content,
            java.util.function.Function<Digest, MetadataStore.Alongside> recorded) throws IOException {
        String tag = null;
        Digest byDigest = null;
        if (Digest.looksLikeDigest(reference)) {
            byDigest = Names.digest(reference);
        } else if (Tag.isValid(reference)) {
            tag = reference;
        } else {
            throw new OciError(ErrorCode.TAG_INVALID, "invalid tag \"" + printable(reference) + "\"");
        }
        if (!extraTags.isEmpty() && byDigest == null) {
            throw new OciError(ErrorCode.TAG_INVALID, "tag parameters go with a push by digest");
        }
        if (extraTags.size() > Limits.MAX_TAGS_PER_PUSH) {
            throw new OciError(ErrorCode.TAG_INVALID, "at most " + Limits.MAX_TAGS_PER_PUSH
                    + " tags in one push");
        }
        for (String t : extraTags) {
            if (!Tag.isValid(t)) {
                throw new OciError(ErrorCode.TAG_INVALID, "invalid tag \"" + printable(t) + "\"");
            }
        }
        if (content.length > limits.manifestBytes()) {
            throw new OciError(ErrorCode.TOO_LARGE,
                    "manifest is larger than the limit of " + limits.manifestBytes() + " bytes");
        }
        requireManifestType(contentType);
        Manifest manifest;
        try {
            manifest = Manifest.parse(content, contentType);
        } catch (InvalidManifestException e) {
            throw new OciError(ErrorCode.MANIFEST_INVALID, e.getMessage());
        }
        Digest digest = byDigest != null
                ? Digest.of(byDigest.algorithm(), content)
                : Digest.sha256(content);
        if (byDigest != null && !byDigest.equals(digest)) {
            throw new OciError(ErrorCode.DIGEST_INVALID,
                    "manifest has digest " + digest + ", not " + byDigest);
        }

        long totalSize = content.length;
        List<Digest> references = new ArrayList<>();
        List<Digest> relied = new ArrayList<>(manifest.isIndex()
                ? manifest.manifests().stream().map(Descriptor::digest).toList()
                : digestsOf(manifest.requiredBlobs()));
        relied.add(digest);
        guard.beforeReferencing(repository, relied);
        if (manifest.isIndex()) {
            List<Digest> children = manifest.manifests().stream().map(Descriptor::digest).toList();
            Set<Digest> present = metadata.existingManifests(repository, children);
            for (Descriptor child : manifest.manifests()) {
                if (!present.contains(child.digest()) && !limits.sparseManifests()) {
                    throw new OciError(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                            "manifest " + child.digest() + " is not in " + repository, Map.of("digest",
                            child.digest().toString()), Map.of());
                }
                totalSize = addSize(totalSize, child.size());
                references.add(child.digest());
            }
        } else {
            List<Descriptor> required = manifest.requiredBlobs();
            Map<Digest, Long> present = metadata.linkedBlobSizes(repository, digestsOf(required));
            for (Descriptor blob : required) {
                Long size = present.get(blob.digest());
                if (size == null && limits.sparseManifests()) {
                    continue;
                }
                if (size == null) {
                    throw new OciError(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                            "blob " + blob.digest() + " is not in " + repository,
                            Map.of("digest", blob.digest().toString()), Map.of());
                }
                if (size != blob.size()) {
                    throw new OciError(ErrorCode.MANIFEST_INVALID, "blob " + blob.digest()
                            + " has " + size + " bytes, the manifest says " + blob.size());
                }
            }
            for (Descriptor d : manifest.layers()) {
                totalSize = addSize(totalSize, d.size());
            }
            totalSize = addSize(totalSize, manifest.config().size());
            references.add(manifest.config().digest());
            manifest.layers().forEach(l -> references.add(l.digest()));
        }

        Instant now = clock.instant();
        Instant created = manifest.isIndex() ? now : imageCreated(manifest.config()).orElse(now);
        List<String> tags = new ArrayList<>(extraTags);
        if (tag != null) {
            tags.add(tag);
        }
        guard.beforeTagging(repository, tags, digest);
        guard.beforeStoringManifest(repository, digest, content.length);
        blobs.putVerified(digest, content);
        ManifestRecord record = new ManifestRecord(repository, digest, manifest.mediaType(), content.length,
                manifest.config() == null ? null : manifest.config().digest(),
                manifest.effectiveArtifactType(),
                manifest.subject() == null ? null : manifest.subject().digest(),
                manifest.annotations().isEmpty() ? null : JSON.writeValueAsString(manifest.annotations()),
                totalSize, created, now, references);
        metadata.putManifest(record, tags, recorded.apply(digest));
        remember(digest, content);
        onPush.accept(record);
        return new Pushed(digest, manifest.subject() == null ? null : manifest.subject().digest(), List.copyOf(tags));
    }

    /** Who hears of every accepted push (the Vulnerability Advisor's queue). */
    public void onPush(java.util.function.Consumer<ManifestRecord> listener) {
        this.onPush = listener;
    }

    /**
     * Copies an image (with the children of an index) from one repository to another under a new
     * tag, server-side: the blobs are linked into the target, no byte is sent again.
     */
    public Pushed copy(String source, String reference, String target, String tag) throws IOException {
        if (tag != null && !Tag.isValid(tag)) {
            throw new OciError(ErrorCode.TAG_INVALID, "invalid tag \"" + printable(tag) + "\"");
        }
        Found found = get(source, reference);
        guard.beforeReferencing(target, List.of(found.record().digest()));
        guard.beforeTagging(target, tag == null ? List.of() : List.of(tag), found.record().digest());
        copyInto(source, found, target, 0);
        metadata.putManifest(rebased(found.record(), target), tag);
        return new Pushed(found.record().digest(), found.record().subject(), tag == null ? List.of() : List.of(tag));
    }

    private void copyInto(String source, Found found, String target, int depth) throws IOException {
        if (depth > 2) {
            throw new OciError(ErrorCode.MANIFEST_INVALID, "indexes nested too deeply to copy");
        }
        Manifest manifest = Manifest.parse(found.content(), found.record().mediaType());
        if (manifest.isIndex()) {
            for (Descriptor child : manifest.manifests()) {
                Found c = get(source, child.digest().toString());
                copyInto(source, c, target, depth + 1);
                metadata.putManifest(rebased(c.record(), target), List.of());
            }
            return;
        }
        List<Descriptor> required = manifest.requiredBlobs();
        Map<Digest, Long> present = metadata.linkedBlobSizes(source, digestsOf(required));
        for (Descriptor blob : required) {
            Long size = present.get(blob.digest());
            if (size == null) {
                throw new OciError(ErrorCode.MANIFEST_BLOB_UNKNOWN, "blob " + blob.digest()
                        + " is missing from " + source);
            }
            guard.beforeStoring(target, blob.digest(), size);
            metadata.linkBlob(target, blob.digest(), size);
        }
    }

    private static ManifestRecord rebased(ManifestRecord r, String repository) {
        return new ManifestRecord(repository, r.digest(), r.mediaType(), r.size(), r.configDigest(), r.artifactType(),
                r.subject(), r.annotationsJson(), r.totalSize(), r.created(), r.pushed(), r.references());
    }

    /** Finds a manifest by tag or digest; 404 MANIFEST_UNKNOWN when there is none. */
    public Found get(String repository, String reference) throws IOException {
        ManifestRecord record = resolve(repository, reference)
                .orElseThrow(() -> new OciError(ErrorCode.MANIFEST_UNKNOWN,
                        "manifest " + printable(reference) + " is not in " + repository));
        byte[] content = cache.get(record.digest());
        if (content == null) {
            content = blobs.readAll(record.digest(), Math.max(limits.manifestBytes(), (int) record.size()));
            if (content == null) {
                throw new OciError(ErrorCode.MANIFEST_UNKNOWN,
                        "manifest " + record.digest() + " content is missing");
            }
            remember(record.digest(), content);
        }
        return new Found(record, content);
    }

    /** The stored record of a manifest, without its bytes (for HEAD). */
    public ManifestRecord head(String repository, String reference) {
        return resolve(repository, reference)
                .orElseThrow(() -> new OciError(ErrorCode.MANIFEST_UNKNOWN,
                        "manifest " + printable(reference) + " is not in " + repository));
    }

    /** Deletes by digest (the manifest and its tags) or by tag (the tag only). */
    public void delete(String repository, String reference) {
        delete(repository, reference, MetadataStore.Alongside.NONE);
    }

    /** {@link #delete(String, String)}, with {@code recorded} (its audit entry) written in the transaction that deletes. */
    public void delete(String repository, String reference, MetadataStore.Alongside recorded) {
        boolean removed;
        if (Digest.looksLikeDigest(reference)) {
            guard.beforeManifestDelete(repository, Names.digest(reference));
            removed = metadata.deleteManifest(repository, Names.digest(reference), recorded);
        } else if (Tag.isValid(reference)) {
            guard.beforeUntagging(repository, reference);
            removed = metadata.deleteTag(repository, reference, recorded);
        } else {
            throw new OciError(ErrorCode.TAG_INVALID, "invalid tag \"" + printable(reference) + "\"");
        }
        if (!removed) {
            throw new OciError(ErrorCode.MANIFEST_UNKNOWN,
                    "manifest " + printable(reference) + " is not in " + repository);
        }
    }

    public List<String> tags(String repository, String last, int n) {
        if (!metadata.repositoryExists(repository)) {
            throw new OciError(ErrorCode.NAME_UNKNOWN, "repository " + repository + " is not known");
        }
        return metadata.tags(repository, last, n);
    }

    /**
     * The referrers index of {@code subject}: every manifest in the repository whose {@code
     * subject} it is, optionally only those of one artifact type.
     */
    public byte[] referrers(String repository, Digest subject, String artifactType) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode list = index.putArray("manifests");
        for (ManifestRecord m : metadata.referrers(repository, subject)) {
            if (artifactType != null && !artifactType.equals(m.artifactType())) {
                continue;
            }
            ObjectNode d = list.addObject();
            d.put("mediaType", m.mediaType());
            d.put("digest", m.digest().toString());
            d.put("size", m.size());
            if (m.artifactType() != null) {
                d.put("artifactType", m.artifactType());
            }
            if (m.annotationsJson() != null) {
                d.set("annotations", JSON.readTree(m.annotationsJson()));
            }
        }
        return JSON.writeValueAsBytes(index);
    }

    private Optional<ManifestRecord> resolve(String repository, String reference) {
        if (Digest.looksLikeDigest(reference)) {
            return metadata.manifest(repository, Names.digest(reference));
        }
        if (!Tag.isValid(reference)) {
            return Optional.empty();
        }
        return metadata.manifestByTag(repository, reference);
    }

    /** The {@code created} time of an image config, when it is one and says so. */
    private Optional<Instant> imageCreated(Descriptor config) throws IOException {
        if (!MediaTypes.OCI_CONFIG.equals(config.mediaType()) && !MediaTypes.DOCKER_CONFIG.equals(config.mediaType())) {
            return Optional.empty();
        }
        if (config.size() > CONFIG_READ_LIMIT) {
            return Optional.empty();
        }
        byte[] bytes = blobs.readAll(config.digest(), CONFIG_READ_LIMIT);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            JsonNode created = JSON.readTree(bytes).get("created");
            if (created != null && created.isTextual()) {
                return Optional.of(OffsetDateTime.parse(created.textValue()).toInstant());
            }
        } catch (IOException | DateTimeParseException e) {
            // A config that is not the JSON it claims to be still makes a valid manifest; the
            // listing falls back to the push time.
        }
        return Optional.empty();
    }

    private void remember(Digest digest, byte[] content) {
        if (cachedBytes.addAndGet(content.length) > CACHE_BYTES) {
            cache.clear();
            cachedBytes.set(content.length);
        }
        cache.put(digest, content);
    }

    /**
     * The image size so far plus one descriptor's. The sizes are the client's word (a child's or a
     * sparse layer's is not checked against stored bytes), so their sum may pass Long.MAX_VALUE; that
     * is refused rather than stored as a negative size (a seed of ManifestServiceFuzzTest replays it).
     */
    private static long addSize(long total, long size) {
        try {
            return Math.addExact(total, size);
        } catch (ArithmeticException overflow) {
            throw new OciError(ErrorCode.MANIFEST_INVALID, "the sizes the manifest gives add up to more than "
                    + Long.MAX_VALUE + " bytes");
        }
    }

    private static Collection<Digest> digestsOf(List<Descriptor> descriptors) {
        return descriptors.stream().map(Descriptor::digest).toList();
    }

    private static String printable(String s) {
        return (s.length() > 80 ? s.substring(0, 80) : s).replaceAll("[^\\x20-\\x7e]", "?");
    }

    /**
     * The specification has a client send the manifest's media type as Content-Type. One that sends
     * none is judged by the document's own {@code mediaType}; one that sends anything but a manifest
     * type ({@code text/plain}, {@code application/json}) is refused rather than guessed at. A
     * manifest type that differs from the document's {@code mediaType} is refused by the parser.
     */
    static void requireManifestType(String contentType) {
        if (contentType == null) {
            return;
        }
        String declared = io.slipway.oci.MediaTypes.strip(contentType);
        if (!io.slipway.oci.MediaTypes.MANIFESTS.contains(declared)) {
            throw new OciError(ErrorCode.MANIFEST_INVALID, "Content-Type \"" + printable(declared)
                    + "\" is not a manifest media type; send the manifest's mediaType, one of "
                    + new java.util.TreeSet<>(io.slipway.oci.MediaTypes.MANIFESTS));
        }
    }
}
