package io.slipway.gitops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code git daemon} serving bare repositories over git:// on 127.0.0.1, with pushes
 * enabled (it has no authentication, which is why pipelines use it only on trusted networks).
 */
final class GitDaemon implements AutoCloseable {
    private final Process process;
    private final int port;

    private GitDaemon(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** True when this machine's git has the daemon (Debian ships it in the git package). */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("git", "daemon", "--help").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() != 127
                    && new ProcessBuilder("git", "--exec-path").start().waitFor() == 0
                    && java.nio.file.Files.isExecutable(Path.of(execPath(), "git-daemon"));
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static GitDaemon start(Path repositories, Path log) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process process = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                "--informative-errors", "--listen=127.0.0.1", "--port=" + port,
                "--base-path=" + repositories.toAbsolutePath(), repositories.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GitDaemon daemon = new GitDaemon(process, port);
        for (int i = 0; i < 200; i++) {
            if (!process.isAlive()) {
                throw new IOException("git daemon exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return daemon;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        daemon.close();
        throw new IOException("git daemon did not listen on 127.0.0.1:" + port);
    }

    String url(String repository) {
        return "git://127.0.0.1:" + port + "/" + repository;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static String execPath() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("git", "--exec-path").start();
        String path = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return path;
    }
}
