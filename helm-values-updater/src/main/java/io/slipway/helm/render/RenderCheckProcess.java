package io.slipway.helm.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link RenderCheck} in a child JVM ({@link RenderCheckMain} on a jar that holds it and
 * helm-java, such as the CLI's {@code slipway.jar}), so that Helm's native library and Go runtime
 * never enter the calling JVM. A long-lived JVM (a Jenkins controller or agent) renders this way:
 * Helm's Go runtime takes SIGTERM and SIGQUIT from the JVM that loads it, and a native library that
 * fails to load there stays failed until that JVM ends. Each check is a new process, so a failure
 * leaves nothing behind for the next one.
 */
public final class RenderCheckProcess {
    /** helm-java's own switch against fetching a native jar; the child also never asks (see {@link HelmCalls}). */
    static final String NO_DOWNLOAD = "-Dcom.marcnuri.jkube-helm.skipRemoteJar=true";
    private static final long TIMEOUT_MINUTES = 10;
    private static final int LOG_TAIL = 4000;

    private final Path javaExecutable;
    private final List<Path> classpath;

    private RenderCheckProcess(Path javaExecutable, List<Path> classpath) {
        this.javaExecutable = javaExecutable;
        this.classpath = List.copyOf(classpath);
    }

    /** Checks with {@code jar} (or jars and folders) as the class path, run by the java executable of this JVM. */
    public static RenderCheckProcess using(Path... classpath) {
        return using(List.of(classpath));
    }

    public static RenderCheckProcess using(List<Path> classpath) {
        return new RenderCheckProcess(Path.of(System.getProperty("java.home"), "bin", "java"), classpath);
    }

    /** Runs the check in a child JVM: its images, or a {@link RenderCheckException} as {@link RenderCheck#run()} throws one. */
    public List<RenderedImage> run(RenderCheck check) {
        for (Path entry : classpath) {
            if (!Files.exists(entry)) {
                throw new RenderCheckException("the render check's class path entry " + entry + " does not exist");
            }
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("slipway-render");
            Path result = work.resolve("result.json");
            Path log = work.resolve("output.log");
            List<String> command = new ArrayList<>(List.of(javaExecutable.toString(), NO_DOWNLOAD, "-Xshare:auto",
                    "-cp", String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()), RenderCheckMain.class.getName()));
            command.addAll(check.arguments());
            command.addAll(List.of("--result", result.toString()));
            Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
            boolean ended;
            try {
                ended = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new RenderCheckException("the render check of " + check.chart() + " was interrupted", e);
            }
            if (!ended) {
                process.destroyForcibly();
                throw new RenderCheckException("the render check of " + check.chart() + " did not end within "
                        + TIMEOUT_MINUTES + " minutes");
            }
            if (!Files.isRegularFile(result)) {
                throw new RenderCheckException("the render check of " + check.chart() + " ended with exit code "
                        + process.exitValue() + " and no result: " + tail(log));
            }
            JsonNode out = new ObjectMapper().readTree(result.toFile());
            if (out.has("error")) {
                throw new RenderCheckException(out.get("error").asText());
            }
            List<RenderedImage> images = new ArrayList<>();
            for (JsonNode image : out.path("images")) {
                images.add(new RenderedImage(image.path("image").asText(), image.path("source").asText(),
                        image.path("line").asInt(), image.path("lineText").asText()));
            }
            return images;
        } catch (IOException e) {
            throw new RenderCheckException("cannot run the render check of " + check.chart() + " with " + javaExecutable + ": " + e, e);
        } finally {
            deleteQuietly(work);
        }
    }

    private static File nullFile() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String tail(Path log) throws IOException {
        String text = Files.readString(log, StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "(no output)" : text.length() <= LOG_TAIL ? text : "…" + text.substring(text.length() - LOG_TAIL);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is no reason to fail the check
        }
    }
}
