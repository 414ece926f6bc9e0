package io.slipway.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Command-line tools the tests run that Debian 12 does not package (cosign, oras): {@code .ci/run}
 * unpacks Debian 13's builds into {@code .ci/tools/usr/bin} of the repository and exports that
 * folder as {@code SLIPWAY_TOOLS_BIN}. A test looks there, then in the repository's
 * {@code .ci/tools/usr/bin} (found from the working directory upwards), then on PATH; a missing tool
 * skips the test on a developer machine and fails it under {@code SLIPWAY_REQUIRE_TOOLS=true}.
 */
public final class ToolBinaries {
    public static final String ENV = "SLIPWAY_TOOLS_BIN";
    private static final String WELL_KNOWN = ".ci/tools/usr/bin";

    private ToolBinaries() {
    }

    /** The executable {@code name}; skips or fails the calling test when it is nowhere. */
    public static Path require(String name) {
        Path found = find(name);
        if (found == null) {
            throw RequiredTools.missing("'" + name + "' is neither in $" + ENV + ", nor in " + WELL_KNOWN
                    + " of the repository, nor on PATH (.ci/run installs it from Debian 13)");
        }
        return found;
    }

    public static Path find(String name) {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank() && executable(Path.of(env, name))) {
            return Path.of(env, name).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(WELL_KNOWN).resolve(name);
            if (executable(candidate)) {
                return candidate;
            }
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && executable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }

    private static boolean executable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }
}
