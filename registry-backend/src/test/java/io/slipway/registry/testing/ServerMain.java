package io.slipway.registry.testing;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a registry in a process of its own, for tests that must kill it: {@code ServerMain DATA_DIR
 * [CONFIG_FILE]} listens on a free loopback port and prints {@code READY <port>} when it accepts
 * requests. Without a configuration file it is an open registry on the embedded stores.
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        RegistryConfig config = args.length > 1
                ? RegistryConfig.load(Path.of(args[1]))
                : RegistryConfig.defaults().withAuth("none");
        RegistryServer server = RegistryServer.start(config.withListen("127.0.0.1:0").withDataDir(Path.of(args[0])));
        System.out.println("READY " + server.port());
        System.out.flush();
        server.join();
    }

    /** Starts {@code ServerMain} in a new JVM on the test class path. */
    public static Process launch(Path data, Path log) throws java.io.IOException {
        return launch(data, log, null);
    }

    /** Starts {@code ServerMain} in a new JVM with a configuration file (null: an open, embedded registry). */
    public static Process launch(Path data, Path log, Path config) throws java.io.IOException {
        return launch(data, log, config, List.of("-Xmx512m"));
    }

    /** Starts {@code ServerMain} in a new JVM with these JVM options (a benchmark gives the nodes its own). */
    public static Process launch(Path data, Path log, Path config, List<String> jvmOptions) throws java.io.IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerMain.class.getName(), data.toString()));
        if (config != null) {
            command.add(config.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    /** Waits for the READY line and returns the port. */
    public static int awaitReady(Process process) throws java.io.IOException {
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()));
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith("READY ")) {
                return Integer.parseInt(line.substring(6).trim());
            }
        }
        throw new IllegalStateException("the registry process exited before it was ready (exit "
                + (process.isAlive() ? "?" : process.exitValue()) + ")");
    }
}
