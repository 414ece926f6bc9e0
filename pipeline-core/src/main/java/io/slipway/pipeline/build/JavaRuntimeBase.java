package io.slipway.pipeline.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Java base image made from this machine's files, for builds that may not pull from a public
 * registry: a runtime cut to the modules the application needs with {@code jlink}, and the C
 * libraries that runtime links to (found with {@code ldd}), copied as files. The result is a
 * {@link BuildFile} from scratch that {@link BuildStep} pushes like any other image; it needs a
 * JDK (for jlink) on a glibc Linux machine.
 */
public final class JavaRuntimeBase {
    /** Where the runtime lives in the image. */
    public static final String JAVA_HOME = "/opt/java";

    /** {@code => /lib/x86_64-linux-gnu/libc.so.6 (0x…)} and the interpreter line {@code /lib64/ld-linux-x86-64.so.2 (0x…)}. */
    private static final Pattern LDD_LINE = Pattern.compile("^\\s*(?:\\S+\\s+=>\\s+)?(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");

    /**
     * Native parts of java.desktop a server never loads (windows, sound, image codecs, font
     * rendering); java.desktop is often needed only for java.beans, and these would drag X11,
     * ALSA and FreeType into the image.
     */
    private static final Set<String> DESKTOP_NATIVES = Set.of("libawt_xawt.so", "libsplashscreen.so", "libjawt.so",
            "libjsound.so", "libfontmanager.so", "liblcms.so", "libjavajpeg.so", "libmlib_image.so");

    private final List<String> modules;
    private final Path javaHome;

    /**
     * @param modules  the Java modules to keep, e.g. {@code java.base}, {@code jdk.httpserver}
     * @param javaHome the JDK whose {@code jlink} and modules to use
     */
    public JavaRuntimeBase(List<String> modules, Path javaHome) {
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("a Java runtime needs at least java.base");
        }
        this.modules = List.copyOf(modules);
        this.javaHome = javaHome;
    }

    /** The runtime of the JDK running this code. */
    public static JavaRuntimeBase of(List<String> modules) {
        return new JavaRuntimeBase(modules, Path.of(System.getProperty("java.home")));
    }

    /**
     * Writes the runtime and its libraries below {@code work} and returns the build file of the
     * base image: two layers (C libraries, Java runtime), {@code JAVA_HOME} and {@code PATH} set.
     */
    public BuildFile prepare(Path work) throws IOException, InterruptedException {
        Path jlink = javaHome.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IOException("no jlink in " + javaHome + ": the Java runtime image is cut from a JDK, not a JRE");
        }
        Path runtime = work.resolve("java");
        Path libraries = work.resolve("libraries");
        deleteTree(work);
        Files.createDirectories(work);
        run(List.of(jlink.toString(), "--add-modules", String.join(",", modules), "--strip-debug", "--no-header-files",
                "--no-man-pages", "--output", runtime.toString()));
        for (Path library : linkedLibraries(runtime)) {
            // Copied as files under their absolute path; a symbolic link is followed to the bytes.
            Path target = libraries.resolve(library.toString().substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(library, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return new BuildFile(null, List.of(), Instant.EPOCH, "OCI",
                Map.of("JAVA_HOME", JAVA_HOME, "PATH", JAVA_HOME + "/bin:/usr/bin:/bin"),
                Map.of("org.opencontainers.image.description", "jlink'ed Java " + Runtime.version().feature()
                        + " runtime (" + String.join(", ", modules) + ")"),
                List.of(), List.of(), null, null, List.of(JAVA_HOME + "/bin/java"), null,
                List.of(new BuildFile.Layer("c-libraries", topLevel(libraries), null, null),
                        new BuildFile.Layer("java-runtime", List.of(new BuildFile.Copy(runtime, JAVA_HOME)), null, null)));
    }

    /** One copy per folder below the image root (Jib adds no entry for "/" itself). */
    private static List<BuildFile.Copy> topLevel(Path root) throws IOException {
        try (Stream<Path> children = Files.list(root)) {
            return children.sorted().map(p -> new BuildFile.Copy(p, "/" + p.getFileName())).toList();
        }
    }

    /** Every library an executable or shared object of the runtime loads at start, by {@code ldd}. */
    private static Set<Path> linkedLibraries(Path runtime) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ldd"));
        try (Stream<Path> files = Files.walk(runtime)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".so") || p.getParent().getFileName().toString().equals("bin"))
                    .filter(p -> !DESKTOP_NATIVES.contains(p.getFileName().toString()))
                    .forEach(p -> command.add(p.toString()));
        }
        Set<Path> found = new TreeSet<>();
        for (String line : run(command).split("\n")) {
            Matcher m = LDD_LINE.matcher(line);
            if (m.matches() && !Path.of(m.group(1)).normalize().startsWith(runtime.normalize())) {
                found.add(Path.of(m.group(1)));
            }
        }
        if (found.stream().noneMatch(p -> p.getFileName().toString().startsWith("libc.so"))) {
            throw new IOException("ldd found no C library for the Java runtime; a glibc Linux machine is needed");
        }
        return found;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            // ldd exits 1 when one of many files is not dynamic (a script); its other answers still count.
            if (!command.get(0).equals("ldd")) {
                throw new IOException(command.get(0) + " failed: " + new String(output, StandardCharsets.UTF_8).strip());
            }
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
