package io.slipway.registry.distribution;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.metadata.UploadSession;
import io.slipway.registry.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob uploads: sessions, chunks, and the verified commit that turns an upload into a blob.
 *
 * <p>Each upload's bytes live in the blob store and its session in the metadata store, so an upload
 * survives a restart. The running SHA-256 of an upload is kept in memory beside it; when it is
 * missing or behind the stored bytes (after a restart, or a chunk cut off mid-way) it is rebuilt
 * from the stored bytes, so the digest check never trusts anything but the bytes themselves.
 */
public final class UploadService {
    private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);

    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final Limits limits;
    private final Clock clock;
    private final Map<String, UploadState> states = new ConcurrentHashMap<>();
    private static final long PARALLEL_HASH_FROM = 4L << 20;
    private final java.util.concurrent.ExecutorService hashers = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "upload-hasher");
        t.setDaemon(true);
        return t;
    });

    /** An upload's running hash; its lock serializes the requests of one upload. */
    private static final class UploadState {
        final ReentrantLock lock = new ReentrantLock();
        MessageDigest sha256 = Digest.Algorithm.SHA256.newMessageDigest();
        long hashed;
        boolean valid;
    }

    /** Where an upload stands: the bytes it holds. */
    public record Status(String id, long size) {
    }

    private volatile StorageGuard guard = StorageGuard.NONE;

    /** What refuses a change the storage lifecycle forbids (immutable tags, quotas). */
    public void guard(StorageGuard guard) {
        this.guard = guard;
    }

    public UploadService(BlobStore blobs, MetadataStore metadata, Limits limits, Clock clock) {
        this.blobs = blobs;
        this.metadata = metadata;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Opens an upload in {@code repository} for {@code owner} (a subject, or null in an open
     * registry, where only the repository's cap applies). Refused with 429 while the owner or the
     * repository has as many open uploads as the limits allow: they end when finished, cancelled
     * or purged after {@code uploadLifetime}.
     */
    public Status start(String repository, String owner) throws IOException {
        if (limits.uploadsPerRepository() > 0 && metadata.openUploadsIn(repository) >= limits.uploadsPerRepository()) {
            throw new OciError(ErrorCode.TOOMANYREQUESTS, "repository " + repository + " already has "
                    + limits.uploadsPerRepository() + " open uploads; finish or cancel one first");
        }
        if (owner != null && limits.uploadsPerPrincipal() > 0 && metadata.openUploadsBy(owner) >= limits.uploadsPerPrincipal()) {
            throw new OciError(ErrorCode.TOOMANYREQUESTS, "you already have " + limits.uploadsPerPrincipal()
                    + " open uploads; finish or cancel one first");
        }
        return open(repository, owner);
    }

    private Status open(String repository, String owner) throws IOException {
        String id = UUID.randomUUID().toString();
        blobs.createUpload(id);
        try {
            metadata.createUpload(new UploadSession(id, repository, owner, clock.instant()));
        } catch (RuntimeException e) {
            // A session that cannot be recorded (a full disk) leaves no bytes behind.
            blobs.deleteUpload(id);
            throw e;
        }
        UploadState state = new UploadState();
        state.valid = true;
        states.put(id, state);
        return new Status(id, 0);
    }

    public Status status(String repository, String id) throws IOException {
        session(repository, id);
        long size = blobs.uploadSize(id);
        if (size < 0) {
            throw unknown(id);
        }
        return new Status(id, size);
    }

    /**
     * Appends a chunk. {@code start} and {@code length} are what the client declared with
     * Content-Range (null when it streamed without one): a chunk that does not begin where the
     * upload ends is refused with 416 and the range the registry holds, and a chunk whose length
     * differs from what was declared is undone.
     */
    public Status append(String repository, String id, Long start, Long length, RequestBody body) throws IOException {
        session(repository, id);
        UploadState state = states.computeIfAbsent(id, k -> new UploadState());
        state.lock.lock();
        try {
            long size = currentSize(id, state);
            requireStart(repository, id, start, size);
            if (body.length() >= 0) {
                guard.beforeStoring(repository, null, size + body.length());
            }
            long written = write(id, state, size, body);
            if (length != null && written != length) {
                undo(id, state, size);
                throw new OciError(ErrorCode.BLOB_UPLOAD_INVALID, "Content-Range declared " + length
                        + " bytes but the chunk held " + written);
            }
            return new Status(id, size + written);
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Finishes an upload with its last bytes (possibly none) and the digest the client claims. The
     * blob becomes visible only if the bytes hash to it; otherwise the upload is discarded and the
     * client told DIGEST_INVALID.
     */
    public Digest finish(String repository, String id, Digest claimed, Long start, RequestBody body) throws IOException {
        session(repository, id);
        UploadState state = states.computeIfAbsent(id, k -> new UploadState());
        state.lock.lock();
        try {
            long size = currentSize(id, state);
            requireStart(repository, id, start, size);
            if (body.length() >= 0) {
                guard.beforeStoring(repository, claimed, size + body.length());
            }
            size += write(id, state, size, body);
            Digest actual = claimed.algorithm() == Digest.Algorithm.SHA256
                    ? Digest.fromHash(Digest.Algorithm.SHA256, state.sha256.digest())
                    : hashUpload(id, claimed.algorithm());
            state.valid = false;
            if (!actual.equals(claimed)) {
                discard(id);
                throw new OciError(ErrorCode.DIGEST_INVALID,
                        "upload has digest " + actual + ", not " + claimed);
            }
            try {
                guard.beforeStoring(repository, claimed, size);
            } catch (OciError e) {
                discard(id);
                throw e;
            }
            // The order is what makes a crash harmless: the blob is placed while the upload keeps its
            // bytes (a crash here leaves the upload resumable: finishing it again places nothing new),
            // then the link and the end of the session are one transaction, and only then are the
            // upload's bytes removed (a crash before that leaves bytes the sweep removes).
            blobs.placeUpload(id, claimed);
            metadata.finishUpload(id, repository, claimed, size);
            states.remove(id);
            try {
                blobs.deleteUpload(id);
            } catch (IOException e) {
                LOG.warn("upload {} is finished but its bytes could not be removed yet: {}", id, e.toString());
            }
            return claimed;
        } finally {
            state.lock.unlock();
        }
    }

    /** Receives a whole blob in one request ({@code POST …/uploads/?digest=}). */
    public Digest monolithic(String repository, Digest claimed, RequestBody body) throws IOException {
        // Ends with this request, so it counts against no cap (the connection limit bounds these).
        Status started = open(repository, null);
        try {
            return finish(repository, started.id(), claimed, null, body);
        } catch (IOException | RuntimeException e) {
            discard(started.id());
            throw e;
        }
    }

    public void cancel(String repository, String id) throws IOException {
        session(repository, id);
        discard(id);
    }

    /** Discards uploads abandoned longer than the configured lifetime. */
    public int purgeAbandoned() throws IOException {
        Instant cutoff = clock.instant().minus(limits.uploadLifetime());
        int purged = 0;
        for (UploadSession s : metadata.uploadsStartedBefore(cutoff)) {
            discard(s.id());
            purged++;
        }
        // Bytes without a session: a crash after a blob was linked, or before a new session was recorded.
        for (String id : blobs.uploadsWrittenBefore(cutoff)) {
            if (isUuid(id) && metadata.upload(id).isEmpty()) {
                states.remove(id);
                blobs.deleteUpload(id);
                purged++;
            }
        }
        return purged;
    }

    private void discard(String id) throws IOException {
        states.remove(id);
        blobs.deleteUpload(id);
        metadata.deleteUpload(id);
    }

    private UploadSession session(String repository, String id) {
        if (!isUuid(id)) {
            throw unknown(id);
        }
        UploadSession session = metadata.upload(id).orElseThrow(() -> unknown(id));
        if (!session.repository().equals(repository)) {
            // An upload belongs to the repository it was started for; elsewhere it does not exist.
            throw unknown(id);
        }
        return session;
    }

    /** The stored size, with the running hash brought up to it. */
    private long currentSize(String id, UploadState state) throws IOException {
        long size = blobs.uploadSize(id);
        if (size < 0) {
            throw unknown(id);
        }
        if (!state.valid || state.hashed != size) {
            MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
            long n = 0;
            try (InputStream in = blobs.readUpload(id)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) {
                    md.update(buf, 0, r);
                    n += r;
                }
            }
            state.sha256 = md;
            state.hashed = n;
            state.valid = true;
            if (n != size) {
                LOG.warn("upload {} changed while being rehashed", id);
            }
            return n;
        }
        return size;
    }

    private long write(String id, UploadState state, long size, RequestBody body) throws IOException {
        long[] written = {0};
        long chunkLimit = limits.chunkBytes();
        // Large bodies are hashed on another thread while they are received and written.
        ParallelHasher parallel = body.length() < 0 || body.length() >= PARALLEL_HASH_FROM
                ? new ParallelHasher(state.sha256, hashers) : null;
        try (BlobStore.UploadWriter writer = blobs.appendTo(id)) {
            try {
                body.forEach(buffer -> {
                    int n = buffer.remaining();
                    if (size + written[0] + n > limits.uploadBytes() || (chunkLimit > 0 && written[0] + n > chunkLimit)) {
                        throw new OciError(ErrorCode.TOO_LARGE, "upload exceeds the configured limit of "
                                + (chunkLimit > 0 ? chunkLimit + " bytes per chunk and " : "")
                                + limits.uploadBytes() + " bytes");
                    }
                    if (parallel != null) {
                        try {
                            parallel.update(buffer);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted while hashing", e);
                        }
                    } else {
                        state.sha256.update(buffer.duplicate());
                    }
                    writer.write(buffer);
                    state.hashed += n;
                    written[0] += n;
                });
                if (parallel != null) {
                    parallel.finish();
                }
            } catch (Exception e) {
                // A refused or cut-off chunk leaves the upload as it was before the chunk.
                writer.truncate(size);
                state.valid = false;
                if (e instanceof IOException io) {
                    throw io;
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException("hashing the upload failed", e);
            } finally {
                if (parallel != null) {
                    parallel.close();
                }
            }
        }
        return written[0];
    }

    private void undo(String id, UploadState state, long size) throws IOException {
        try (BlobStore.UploadWriter writer = blobs.appendTo(id)) {
            writer.truncate(size);
        }
        state.valid = false;
    }

    private Digest hashUpload(String id, Digest.Algorithm algorithm) throws IOException {
        MessageDigest md = algorithm.newMessageDigest();
        try (InputStream in = blobs.readUpload(id)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return Digest.fromHash(algorithm, md.digest());
    }

    /** A chunk must begin where the upload ends: otherwise 416 with the range the registry holds. */
    private static void requireStart(String repository, String id, Long start, long size) {
        if (start != null && start != size) {
            throw new OciError(ErrorCode.RANGE_INVALID,
                    "chunk starts at " + start + " but the upload holds " + size + " bytes",
                    null, rangeHeaders(repository, id, size));
        }
    }

    private static Map<String, String> rangeHeaders(String repository, String id, long size) {
        return Map.of(
                "Location", uploadLocation(repository, id),
                "Range", range(size),
                "Docker-Upload-UUID", id);
    }

    public static String uploadLocation(String repository, String id) {
        return "/v2/" + repository + "/blobs/uploads/" + id;
    }

    /** The Range header of an upload holding {@code size} bytes ({@code 0-0} when empty, as the reference registry sends). */
    public static String range(long size) {
        return "0-" + Math.max(0, size - 1);
    }

    private static OciError unknown(String id) {
        return new OciError(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + printable(id) + " is unknown");
    }

    private static boolean isUuid(String id) {
        try {
            return id != null && UUID.fromString(id).toString().equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        return (s.length() > 64 ? s.substring(0, 64) : s).replaceAll("[^\\x20-\\x7e]", "?");
    }
}
