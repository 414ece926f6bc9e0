package io.slipway.registry.clients;

import io.slipway.testing.ToolBinaries;
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

/**
 * External command-line clients the tests drive (skopeo, ...). A test calls {@link #require} first:
 * a missing tool skips the test on a developer machine, but fails it when
 * {@code SLIPWAY_REQUIRE_TOOLS=true} (as CI sets), so CI can never pass by silently skipping.
 */
final class ExternalTools {
    private ExternalTools() {
    }

    /** The executable {@code name} ({@link ToolBinaries}); skips or fails the calling test when it is missing. */
    static Path require(String name) {
        return ToolBinaries.require(name);
    }

    static Path find(String name) {
        return ToolBinaries.find(name);
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
