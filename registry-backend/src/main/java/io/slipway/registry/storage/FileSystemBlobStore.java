package io.slipway.registry.storage;

import io.slipway.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.UUID;
import io.slipway.registry.config.DataFolder;

/**
 * Blobs as files under a directory:
 * <pre>
 *   blobs/sha256/ab/abcdef…      one file per blob, named by its digest
 *   uploads/&lt;uuid&gt;               the bytes of an upload in progress
 *   tmp/                          manifests being written
 * </pre>
 * A blob file appears only by an atomic rename of a file that was fsynced after its digest was
 * checked, so a reader never sees a partial or unverified blob, and a killed process leaves at
 * worst an orphaned upload or temporary file.
 */
public final class FileSystemBlobStore implements BlobStore {

    private static final long EARLY_SYNC_BYTES = 16L << 20;
    private static final java.util.concurrent.ExecutorService SYNCER = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "blob-early-sync");
        t.setDaemon(true);
        return t;
    });

    private final Path blobs;
    private final Path uploads;
    private final Path tmp;

    public FileSystemBlobStore(Path root) throws IOException {
        // Private to the registry's user (0700 folders, 0600 files), whatever the umask.
        this.blobs = DataFolder.createFolder(root.resolve("blobs"));
        this.uploads = DataFolder.createFolder(root.resolve("uploads"));
        this.tmp = DataFolder.createFolder(root.resolve("tmp"));
        // Leftovers of a process killed while writing a manifest are never referenced.
        try (var leftovers = Files.list(tmp)) {
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Path blobPath(Digest digest) {
        String hex = digest.hex();
        return blobs.resolve(digest.algorithm().prefix()).resolve(hex.substring(0, 2)).resolve(hex);
    }

    private Path uploadPath(String uploadId) {
        // Re-parse so that nothing but a canonical UUID can name a file here.
        String canonical = UUID.fromString(uploadId).toString();
        if (!canonical.equals(uploadId)) {
            throw new IllegalArgumentException("invalid upload id");
        }
        return uploads.resolve(canonical);
    }

    @Override
    public OptionalLong size(Digest digest) throws IOException {
        try {
            return OptionalLong.of(Files.size(blobPath(digest)));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public BlobContent open(Digest digest) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(blobPath(digest), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
        return new FileBlobContent(channel);
    }

    @Override
    public byte[] readAll(Digest digest, int maxBytes) throws IOException {
        Path path = blobPath(digest);
        try {
            if (Files.size(path) > maxBytes) {
                throw new IOException("blob " + digest + " is larger than " + maxBytes + " bytes");
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void putVerified(Digest digest, byte[] content) throws IOException {
        Path target = blobPath(digest);
        if (Files.exists(target)) {
            return;
        }
        Path temp = tmp.resolve(UUID.randomUUID().toString());
        try (FileChannel ch = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                DataFolder.fileAttributes())) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        } catch (IOException e) {
            // A full disk: leave nothing half-written behind.
            Files.deleteIfExists(temp);
            throw e;
        }
        moveIntoPlace(temp, target);
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(blobPath(digest));
    }

    /** What unlinks a bulk delete's files, {@link #UNLINKERS} at a time. */
    private static final int UNLINKERS = 8;
    private static final java.util.concurrent.ExecutorService UNLINK = java.util.concurrent.Executors.newFixedThreadPool(
            UNLINKERS, r -> {
                Thread t = new Thread(r, "blob-unlink");
                t.setDaemon(true);
                return t;
            });

    /**
     * Unlinks {@link #UNLINKERS} files at a time: an unlink is a wait on the file system's journal
     * more than work (milliseconds each while others write and sync), and waits overlap.
     */
    @Override
    public java.util.Set<Digest> deleteAll(java.util.Collection<Digest> digests) throws IOException {
        java.util.List<Digest> all = java.util.List.copyOf(digests);
        java.util.Set<Digest> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
        int per = Math.max(1, (all.size() + UNLINKERS - 1) / UNLINKERS);
        for (int i = 0; i < all.size(); i += per) {
            java.util.List<Digest> part = all.subList(i, Math.min(all.size(), i + per));
            running.add(UNLINK.submit(() -> {
                for (Digest d : part) {
                    if (delete(d)) {
                        held.add(d);
                    }
                }
                return null;
            }));
        }
        IOException failure = null;
        for (java.util.concurrent.Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
            } catch (InterruptedException e) {
                running.forEach(r -> r.cancel(true));
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted deleting blobs");
            }
        }
        if (failure != null) {
            throw failure;
        }
        return held;
    }

    @Override
    public void createUpload(String uploadId) throws IOException {
        Files.createFile(uploadPath(uploadId), DataFolder.fileAttributes());
    }

    @Override
    public long uploadSize(String uploadId) throws IOException {
        try {
            return Files.size(uploadPath(uploadId));
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public UploadWriter appendTo(String uploadId) throws IOException {
        DirectAppender file = DirectAppender.open(uploadPath(uploadId));
        return new UploadWriter() {
            private long unsynced;
            private java.util.concurrent.Future<?> syncing;

            @Override
            public void write(ByteBuffer buffer) throws IOException {
                unsynced += buffer.remaining();
                file.write(buffer);
                // Start writing a large upload back to disk while the rest still arrives, so that
                // the fsync before the commit has only the tail left to do.
                if (unsynced >= EARLY_SYNC_BYTES && (syncing == null || syncing.isDone())) {
                    unsynced = 0;
                    syncing = SYNCER.submit(() -> {
                        try {
                            file.force();
                        } catch (IOException e) {
                            // the commit's own fsync reports what matters
                        }
                    });
                }
            }

            @Override
            public long position() {
                return file.position();
            }

            @Override
            public void truncate(long size) throws IOException {
                file.truncate(size);
            }

            @Override
            public void close() throws IOException {
                if (syncing != null) {
                    try {
                        syncing.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (java.util.concurrent.ExecutionException e) {
                        // nothing to add: the commit's fsync is the one that counts
                    }
                }
                file.close();
            }
        };
    }

    @Override
    public InputStream readUpload(String uploadId) throws IOException {
        return Files.newInputStream(uploadPath(uploadId));
    }

    @Override
    public void placeUpload(String uploadId, Digest digest) throws IOException {
        Path source = uploadPath(uploadId);
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Path target = blobPath(digest);
        if (Files.exists(target)) {
            return;
        }
        // A second name for the same bytes: the blob appears whole and atomically, and the upload
        // keeps its bytes until the caller has recorded the blob.
        Path temp = tmp.resolve(UUID.randomUUID().toString());
        try {
            Files.createLink(temp, source);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            Files.copy(source, temp, StandardCopyOption.COPY_ATTRIBUTES);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        moveIntoPlace(temp, target);
    }

    @Override
    public java.util.List<String> uploadsWrittenBefore(java.time.Instant cutoff) throws IOException {
        java.util.List<String> old = new java.util.ArrayList<>();
        try (var files = Files.list(uploads)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                        old.add(p.getFileName().toString());
                    }
                } catch (NoSuchFileException e) {
                    // finished or cancelled meanwhile
                }
            }
        }
        return old;
    }

    @Override
    public java.util.List<Listed> listBlobs() throws IOException {
        java.util.List<Listed> listed = new java.util.ArrayList<>();
        try (var files = Files.walk(blobs)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                // blobs/<algorithm>/<2 hex>/<hex>: anything else is not a blob of this layout
                Path relative = blobs.relativize(p);
                if (relative.getNameCount() != 3) {
                    continue;
                }
                try {
                    var attributes = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
                    Listed blob = Listed.of(relative.getName(0).toString(), relative.getName(2).toString(),
                            attributes.size(), attributes.lastModifiedTime().toMillis());
                    if (attributes.isRegularFile() && blob != null && blobPath(blob.digest()).equals(p)) {
                        listed.add(blob);
                    }
                } catch (NoSuchFileException e) {
                    // deleted meanwhile
                }
            }
        }
        return listed;
    }

    @Override
    public boolean deleteUpload(String uploadId) throws IOException {
        return Files.deleteIfExists(uploadPath(uploadId));
    }

    /** Atomically renames a durable file to its content address; a concurrent twin wins harmlessly. */
    private static void moveIntoPlace(Path source, Path target) throws IOException {
        Path dir = target.getParent();
        DataFolder.createFolder(dir);
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(source);
            return;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the blob store must be on one file system", e);
        }
        fsyncDirectory(dir);
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory; the rename itself is still atomic.
        }
    }

    private static final class FileBlobContent implements BlobContent {
        private final FileChannel channel;
        private final long size;

        FileBlobContent(FileChannel channel) throws IOException {
            this.channel = channel;
            this.size = channel.size();
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public FileChannel fileChannel() {
            return channel;
        }

        @Override
        public InputStream stream(long offset, long length) {
            try {
                return new java.io.BufferedInputStream(
                        new BoundedInputStream(Channels.newInputStream(channel.position(offset)), length), 65536);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
