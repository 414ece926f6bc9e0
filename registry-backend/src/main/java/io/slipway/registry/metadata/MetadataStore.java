package io.slipway.registry.metadata;

import io.slipway.oci.Digest;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything the registry knows besides blob bytes: repositories, which blobs each repository may
 * read, manifests, tags and upload sessions. One implementation, {@link SqlMetadataStore}, on either
 * database ({@link SqliteDatabase} or {@link PostgresDatabase}); it passes the same behaviour tests on both.
 */
public interface MetadataStore extends AutoCloseable {

    /**
     * A number that moves, for every node sharing the database, whenever a change was committed
     * that may make a remembered answer wrong (a tag moved or deleted, a manifest, blob link or
     * repository deleted); {@link CachingMetadataStore} polls it.
     */
    long changeCount();

    // --- repositories

    boolean repositoryExists(String repository);

    /** Repository names in lexical order after {@code last} (null: from the start), at most {@code n}. */
    List<String> repositories(String last, int n);

    // --- blobs linked to a repository (what a repository may read)

    void linkBlob(String repository, Digest digest, long size);

    OptionalLong linkedBlobSize(String repository, Digest digest);

    /** Of {@code digests}, those linked to the repository, with their sizes, in one query. */
    java.util.Map<Digest, Long> linkedBlobSizes(String repository, Collection<Digest> digests);

    boolean unlinkBlob(String repository, Digest digest);

    /** Repositories of {@code namespace} that link the blob (at most {@code limit}), for a mount without a source. */
    List<String> repositoriesWithBlob(String namespace, Digest digest, int limit);

    // --- manifests and tags

    /**
     * More writes for the transaction that records a change to manifests or tags: the change's audit
     * entry and the events it makes, so a crash cannot keep the change and lose its event, nor keep an
     * event of a change that was rolled back.
     */
    @FunctionalInterface
    interface Alongside {
        Alongside NONE = c -> { };

        void write(java.sql.Connection c) throws java.sql.SQLException;
    }

    /** Stores a manifest (idempotent) and points every one of {@code tags} at it, in one transaction. */
    default void putManifest(ManifestRecord manifest, List<String> tags) {
        putManifest(manifest, tags, Alongside.NONE);
    }

    /** {@link #putManifest(ManifestRecord, List)} with {@code alongside} written in the same transaction. */
    void putManifest(ManifestRecord manifest, List<String> tags, Alongside alongside);

    /** Stores a manifest and, when {@code tag} is not null, points the tag at it. */
    default void putManifest(ManifestRecord manifest, String tag) {
        putManifest(manifest, tag == null ? List.of() : List.of(tag));
    }

    Optional<ManifestRecord> manifest(String repository, Digest digest);

    Optional<ManifestRecord> manifestByTag(String repository, String tag);

    /** Removes a manifest and every tag pointing at it; false when it was not there. */
    default boolean deleteManifest(String repository, Digest digest) {
        return deleteManifest(repository, digest, Alongside.NONE);
    }

    /** {@link #deleteManifest(String, Digest)} with {@code alongside} written in its transaction when it removed something. */
    boolean deleteManifest(String repository, Digest digest, Alongside alongside);

    default boolean deleteTag(String repository, String tag) {
        return deleteTag(repository, tag, Alongside.NONE);
    }

    /** Removes a tag, with {@code alongside} written in its transaction when it removed it; false when it was not there. */
    boolean deleteTag(String repository, String tag, Alongside alongside);

    /** Tags in lexical order after {@code last} (null: from the start), at most {@code n}. */
    List<String> tags(String repository, String last, int n);

    /** Manifests in the repository whose {@code subject} is {@code subject}. */
    List<ManifestRecord> referrers(String repository, Digest subject);

    /** Which of {@code digests} are manifests of the repository. */
    java.util.Set<Digest> existingManifests(String repository, Collection<Digest> digests);

    /** Every image (tagged or not) whose repository starts with {@code prefix} (null: all). */
    List<ImageRow> images(String prefix);

    // --- the console's paged image listing (issue 22): one query a page, whatever the registry's size

    /** Repository ids by name, of every repository whose name starts with {@code prefix} (null: all). */
    java.util.Map<String, Long> repositoryIds(String prefix);

    /**
     * Which images a page of the listing shows. An image is one manifest (a digest) of one repository
     * with all its tags; what only refers to an image (an untagged manifest with a subject, a manifest
     * tagged only {@code sha256-<hex>.sig|.att|.sbom}) is not one of its own.
     *
     * @param prefix        repository names start with this (null: any)
     * @param repositoryIds only these repositories (null: every one under the prefix); when given they are
     *                      the caller's choice among the prefix's repositories, and the prefix is not checked again
     * @param search        the repository name or a tag contains this, ignoring case (null: no search)
     * @param sort          created, size, repository, namespace or tags (the first tag)
     */
    record ImageQuery(String prefix, Collection<Long> repositoryIds, String search, String sort, boolean ascending,
            int offset, int limit) {
    }

    /** One image of a page; {@code tags} in lexical order, without cosign's attachment tags. */
    record ImageGroup(long repositoryId, String repository, Digest digest, String mediaType, Instant created, long size,
            List<String> tags) {
    }

    /**
     * A page of images and how many the whole listing holds: counted exactly, or, when {@code more},
     * known only to pass {@code total} (the count stopped there).
     */
    record ImagePage(List<ImageGroup> images, int total, boolean more) {
        public ImagePage(List<ImageGroup> images, int total) {
            this(images, total, false);
        }
    }

    /** One page of the listing with its exact total; an offset beyond the end answers the last page. */
    default ImagePage imagePage(ImageQuery query) {
        return imagePage(query, Integer.MAX_VALUE);
    }

    /**
     * One page of the listing, counting at most {@code countAtMost} images: a count is a walk of the
     * whole listing, which a page (an index walked in order, left after the page) is not, so a caller
     * that shows only the next few pages asks for no more. An offset beyond the end answers the last page.
     */
    ImagePage imagePage(ImageQuery query, int countAtMost);

    /** How many images the listing holds ({@code offset}, {@code limit} and {@code sort} play no part). */
    int imageCount(ImageQuery query);

    /**
     * Something attached to an image: {@code kind} is {@code sig}, {@code att} or {@code sbom} (cosign's
     * tag of that name), {@code referrer} (a manifest whose subject is the image; {@code detail} its
     * artifact type or media type) or {@code simple} (a signature of the extension API; {@code detail} its name).
     */
    record Attachment(long repositoryId, Digest subject, String kind, String detail) {
    }

    /** What is attached to each of {@code images} (repository id → digests), in one query per kind. */
    List<Attachment> attachments(java.util.Map<Long, ? extends Collection<Digest>> images);

    /** Removes every repository of a namespace with its manifests, tags and blob links. */
    int deleteRepositories(String namespace);

    // --- signatures of the signature extension API

    /** One stored signature: its name, type ({@code atomic}) and bytes. */
    record Signature(String name, String type, byte[] content) {
    }

    /** Adds a signature to a manifest of the repository; false when an identical one is there. */
    boolean addSignature(String repository, Digest manifest, Signature signature);

    List<Signature> signatures(String repository, Digest manifest);

    // --- uploads

    void createUpload(UploadSession session);

    Optional<UploadSession> upload(String id);

    boolean deleteUpload(String id);

    /**
     * An upload became the blob {@code digest}: links it into {@code repository} and ends the
     * upload's session in one transaction, so that either the upload is still open or the blob is linked.
     */
    void finishUpload(String id, String repository, Digest digest, long size);

    /** How many uploads are open in {@code repository}. */
    int openUploadsIn(String repository);

    /** How many uploads {@code owner} has open, in every repository. */
    int openUploadsBy(String owner);

    List<UploadSession> uploadsStartedBefore(Instant cutoff);

    @Override
    void close();
}
