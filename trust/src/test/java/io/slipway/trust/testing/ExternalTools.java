package io.slipway.trust.testing;

import io.slipway.testing.RequiredTools;
import io.slipway.testing.ToolBinaries;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs real tools (skopeo, gpg) in tests. A missing tool skips the test on a developer's machine
 * and fails it where {@code SLIPWAY_REQUIRE_TOOLS=true} (CI), so a CI run can never pass by
 * quietly testing nothing.
 */
public final class ExternalTools {

    private ExternalTools() {
    }

    /** Skips or fails (see above) unless every tool is found ({@link ToolBinaries}: the CI tools folder, then PATH). */
    public static void require(String... tools) {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (ToolBinaries.find(tool) == null) {
                missing.add(tool);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        throw RequiredTools.missing("required tools missing: " + missing);
    }

    /** What a finished command said. */
    public record Result(int exitCode, String output) {
    }

    /** Runs {@code command} with extra environment, no input, a time limit, and stdout and stderr together. */
    public static Result run(Map<String, String> environment, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
