package io.slipway.registry.testing;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.nio.file.Path;

/**
 * Runs a registry in a process of its own, for tests that must kill it: {@code ServerMain DATA_DIR}
 * listens on a free loopback port and prints {@code READY <port>} when it accepts requests.
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        RegistryServer server = RegistryServer.start(
                RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0").withDataDir(Path.of(args[0])));
        System.out.println("READY " + server.port());
        System.out.flush();
        server.join();
    }

    /** Starts {@code ServerMain} in a new JVM on the test class path. */
    public static Process launch(Path data, Path log) throws java.io.IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                ServerMain.class.getName(), data.toString());
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
