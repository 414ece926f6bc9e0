package io.slipway.registry.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The registry's data folder holds secrets (the metadata database with API key hashes, the token
 * signing key, uploads of private images): it and its folders are 0700 and its files 0600, whatever
 * the umask, so that no other user of the machine can read them. On a file system without POSIX
 * permissions nothing is changed.
 */
public final class DataFolder {
    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private DataFolder() {
    }

    /** Creates the folder (0700), or takes away others' access to an existing one and the files directly in it. */
    public static Path prepare(Path dir) throws IOException {
        createFolder(dir);
        tighten(dir);
        return dir;
    }

    /** Sets 0700 on {@code dir} and its folders one level down and 0600 on the files directly in them. */
    public static void tighten(Path dir) throws IOException {
        if (!POSIX || !Files.isDirectory(dir)) {
            return;
        }
        Files.setPosixFilePermissions(dir, FOLDER);
        try (var entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                if (Files.isRegularFile(p)) {
                    Files.setPosixFilePermissions(p, FILE);
                } else if (Files.isDirectory(p)) {
                    Files.setPosixFilePermissions(p, FOLDER);
                }
            }
        }
    }

    /** Creates a folder and its missing parents inside the data folder with 0700. */
    public static Path createFolder(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        return POSIX ? Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FOLDER))
                : Files.createDirectories(dir);
    }

    /** The attributes of a new file in the data folder: 0600. */
    public static FileAttribute<?>[] fileAttributes() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }
}
