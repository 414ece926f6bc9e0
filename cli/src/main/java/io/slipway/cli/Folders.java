package io.slipway.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Whole-folder copies and removals, for the commands that stage files. */
public final class Folders {
    private Folders() {
    }

    /** Copies the files under {@code from} into {@code to} (made if missing); nothing when {@code from} is absent. */
    public static void copyTree(Path from, Path to) throws IOException {
        copyTree(from, to, relative -> false);
    }

    /** The same, leaving out what {@code skip} says of a path relative to {@code from} (and all below it). */
    public static void copyTree(Path from, Path to, Predicate<Path> skip) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path relative = from.relativize(p);
                if (skip.test(relative)) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Removes {@code dir} and everything in it; nothing when it is absent. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
