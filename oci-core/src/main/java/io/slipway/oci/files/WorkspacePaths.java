package io.slipway.oci.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The one check that a path a pipeline reads or writes — a values file in a GitOps clone, a build file and the
 * files its layers copy, a layer cache — stays inside its workspace. Paths are judged by their real path (every
 * symbolic link followed), not by their spelling: {@code values.yaml -> /etc/shadow} committed to a GitOps
 * repository, or a link in a build context, would otherwise be read and pushed or committed. A path that does not
 * exist yet (a cache to be made) is judged by its nearest existing ancestor, and the rest of it may not climb
 * ({@code ..}).
 */
public final class WorkspacePaths {
    private WorkspacePaths() {
    }

    /** A path that leads outside the workspace, by a symbolic link or by {@code ..}. */
    public static final class OutsideWorkspaceException extends IOException {
        public OutsideWorkspaceException(String message) {
            super(message);
        }
    }

    /**
     * {@code path} (relative to the workspace, or absolute) resolved and checked: returns its real path when it
     * exists, else the normalized path below its nearest existing ancestor's real path.
     *
     * @param what names the path in the error ("values file", "build file", "layer cache")
     */
    public static Path resolve(Path workspace, String path, String what) throws IOException {
        return check(workspace, workspace.resolve(path), path, what);
    }

    /** As {@link #resolve(Path, String, String)}, for a path already made. */
    public static Path requireInside(Path workspace, Path path, String what) throws IOException {
        return check(workspace, path, path.toString(), what);
    }

    private static Path check(Path workspace, Path path, String shown, String what) throws IOException {
        Path root = workspace.toRealPath();
        Path absolute = workspace.toAbsolutePath().resolve(path).normalize();
        Path real = realOrNearest(absolute);
        if (!real.startsWith(root)) {
            boolean byLink = absolute.startsWith(workspace.toAbsolutePath().normalize());
            throw new OutsideWorkspaceException(what + " " + shown + " is outside the workspace " + root
                    + (byLink ? " (it is, or passes through, a symbolic link to " + real + ")" : "")
                    + ": only files inside it are used");
        }
        return real;
    }

    /**
     * Checks a file or a whole folder (a layer's source): the path itself and every symbolic link below it must
     * lead inside the workspace, so a link in a build context cannot copy a file from elsewhere into an image.
     */
    public static Path requireTreeInside(Path workspace, Path path, String what) throws IOException {
        Path real = requireInside(workspace, path, what);
        if (Files.isDirectory(real)) {
            try (Stream<Path> all = Files.walk(real)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    if (Files.isSymbolicLink(p)) {
                        requireInside(workspace, p, what + " entry");
                    }
                }
            }
        }
        return real;
    }

    private static Path realOrNearest(Path absolute) throws IOException {
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            // A dangling link has no real path: refuse rather than guess where it would lead once made.
            if (!Files.exists(absolute)) {
                throw new OutsideWorkspaceException(absolute + " is a symbolic link to nothing");
            }
            return absolute.toRealPath();
        }
        Path parent = absolute.getParent();
        if (parent == null) {
            return absolute;
        }
        return realOrNearest(parent).resolve(absolute.getFileName());
    }
}
