package io.slipway.registry.clients;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * External command-line clients the tests drive (skopeo, ...). A test calls {@link #require} first:
 * a missing tool skips the test on a developer machine, but fails it when
 * {@code SLIPWAY_REQUIRE_TOOLS=true} (as CI sets), so CI can never pass by silently skipping.
 */
final class ExternalTools {
    static final String REQUIRE_TOOLS_ENV = "SLIPWAY_REQUIRE_TOOLS";

    private ExternalTools() {
    }

    /** The executable {@code name} found on PATH; skips or fails the calling test when it is missing. */
    static Path require(String name) {
        Path found = find(name);
        if (found != null) {
            return found;
        }
        String message = "'" + name + "' is not on PATH (" + System.getenv("PATH") + ")";
        if ("true".equalsIgnoreCase(System.getenv(REQUIRE_TOOLS_ENV))) {
            fail(message + ", and " + REQUIRE_TOOLS_ENV + "=true requires every external client: install "
                    + name + " on this machine");
        }
        Assumptions.abort(message + "; skipped (set " + REQUIRE_TOOLS_ENV + "=true to make this a failure)");
        return null; // not reached
    }

    static Path find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** What a finished command left behind. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** Command line and both outputs, for assertion messages. */
        String describe() {
            return "$ " + String.join(" ", command) + "\nexit code " + exitCode + "\n--- stdout\n" + stdout
                    + "\n--- stderr\n" + stderr;
        }
    }

    /**
     * Runs a command with the given extra environment, killing it after {@code timeout}. Output
     * goes to files in {@code workDir} so a chatty process can never block on a full pipe.
     */
    static Result run(Path workDir, Map<String, String> env, Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path out = Files.createTempFile(workDir, "stdout", ".txt");
        Path err = Files.createTempFile(workDir, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command))
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            Result partial = new Result(command, -1, read(out), read(err));
            fail("timed out after " + timeout.toSeconds() + " s\n" + partial.describe());
        }
        return new Result(command, process.exitValue(), read(out), read(err));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
