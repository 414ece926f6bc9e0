package io.slipway.jenkins;

import io.slipway.helm.render.RenderCheckProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where the deploy step's render check runs: a child JVM on the machine of the workspace, never
 * the Jenkins JVM (Helm's Go runtime would take that JVM's SIGTERM and SIGQUIT, and a native
 * library that failed to load there would stay failed until a restart). The child runs
 * {@code slipway-render.jar}, packed in this plugin's jar, from a copy kept on the machine under
 * its SHA-256 ({@code ~/.cache/slipway/}); an agent reads it through remoting's jar cache. The
 * environment variable {@value #OVERRIDE} names another jar holding the render check instead
 * (the CLI's {@code slipway.jar} does).
 */
final class RenderTool {
    static final String OVERRIDE = "SLIPWAY_RENDER_JAR";
    private static final String JAR = "render/slipway-render.jar";

    private RenderTool() {
    }

    /** The child JVM's runner: with the named jar, or with this plugin's. */
    static RenderCheckProcess process(String overrideJar) throws IOException {
        if (overrideJar != null && !overrideJar.isBlank()) {
            Path jar = Path.of(overrideJar.trim());
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(OVERRIDE + " names " + jar + ", which is not a file on this machine");
            }
            return RenderCheckProcess.using(jar);
        }
        return RenderCheckProcess.using(packedJar());
    }

    /** The plugin's render jar on this machine, copied from the plugin's jar once per content. */
    static synchronized Path packedJar() throws IOException {
        String sha256;
        try (InputStream in = resource(JAR + ".sha256")) {
            sha256 = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
        }
        Path dir = cacheFolder();
        Path jar = dir.resolve("render-" + sha256 + ".jar");
        if (Files.isRegularFile(jar) && sha256(jar).equals(sha256)) {
            return jar;
        }
        Path part = Files.createTempFile(dir, "render-", ".part");
        try {
            try (InputStream in = resource(JAR)) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
            String got = sha256(part);
            if (!got.equals(sha256)) {
                throw new IOException("the render jar packed in the plugin has SHA-256 " + got + ", not " + sha256);
            }
            Files.move(part, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return jar;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static Path cacheFolder() throws IOException {
        try {
            return Files.createDirectories(Path.of(System.getProperty("user.home"), ".cache", "slipway"));
        } catch (IOException e) {
            // a home folder we may not write: the agent's temporary folder, per user
            return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"),
                    "slipway-cache-" + System.getProperty("user.name")));
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = RenderTool.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("this build of the plugin has no " + name);
        }
        return in;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
