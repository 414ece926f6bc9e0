package io.slipway.pipeline.build;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A jib-cli build file ({@code apiVersion: jib/v1alpha1}, {@code kind: BuildFile}), the part of it
 * Slipway builds from. Paths of layer sources are resolved against the build file's directory.
 *
 * @param from         base image reference, or null for scratch
 * @param platforms    {@code from.platforms}; empty: Jib's default (linux/amd64)
 * @param creationTime image creation time (null: the epoch, for reproducible builds)
 * @param format       {@code Docker} or {@code OCI}
 * @param cmd          Jib's program arguments
 */
public record BuildFile(String from, List<Platform> platforms, Instant creationTime, String format, Map<String, String> environment,
                        Map<String, String> labels, List<String> volumes, List<String> exposedPorts, String user,
                        String workingDirectory, List<String> entrypoint, List<String> cmd, List<Layer> layers) {

    /** One {@code architecture}/{@code os} pair of {@code from.platforms}. */
    public record Platform(String architecture, String os) {
    }

    /** A named layer of file copies; permissions are octal strings as in jib-cli ({@code "755"}). */
    public record Layer(String name, List<Copy> files, String filePermissions, String directoryPermissions) {
    }

    /** One {@code src} (file or directory) copied to the absolute {@code dest}. */
    public record Copy(java.nio.file.Path src, String dest) {
    }
}
