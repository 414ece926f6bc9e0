package io.slipway.server.release;

import io.slipway.pipeline.build.BuildFile;
import io.slipway.pipeline.build.JavaRuntimeBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The registry's image, {@code slipway-registry}: made from files as the task image is
 * ({@link io.slipway.tekton.TaskImage}) — a jlink'ed Java runtime with the modules the full
 * distribution uses and the C libraries it links to, the distribution's jar, and nothing else (no
 * shell, no package manager). It runs as the non-root user 65532 (the user the Helm chart's
 * securityContext names), keeps its data in {@code /var/lib/slipway} and starts
 * {@code slipway registry serve} on port 5000; a Deployment replaces the arguments, not the
 * command. Reproducible: the same jar, JDK and C library give the same digest.
 */
public final class ServerImage {
    /** {@code jdeps --print-module-deps} of the shaded slipway.jar, plus the EC provider TLS and signatures need. */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.desktop", "java.management",
            "java.naming", "java.net.http", "java.rmi", "java.security.jgss", "java.sql", "jdk.crypto.ec", "jdk.management",
            "jdk.net", "jdk.unsupported");
    public static final String USER = "65532:65532";
    public static final String DATA = "/var/lib/slipway";
    public static final int PORT = 5000;

    private ServerImage() {
    }

    /** Stages the files under {@code work} and returns the build file of the registry image. */
    public static BuildFile buildFile(Path serverJar, Path work) throws IOException, InterruptedException {
        if (!Files.isRegularFile(serverJar)) {
            throw new IOException("the registry image needs " + serverJar);
        }
        BuildFile runtime = JavaRuntimeBase.of(MODULES).prepare(work.resolve("runtime"));
        Path files = work.resolve("files");
        Files.createDirectories(files.resolve("etc"));
        // A name for the user, so that nothing that asks the system for it gets "?".
        Files.writeString(files.resolve("etc/passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                + "slipway:x:65532:65532:slipway:/tmp:/sbin/nologin\n");
        Files.writeString(files.resolve("etc/group"), "root:x:0:\nslipway:x:65532:\n");
        Files.createDirectories(files.resolve("writable/tmp"));
        Files.createDirectories(files.resolve("writable/data"));
        Path jar = files.resolve("opt/slipway/slipway.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(serverJar, jar, StandardCopyOption.REPLACE_EXISTING);

        List<BuildFile.Layer> layers = new ArrayList<>(runtime.layers());
        layers.add(new BuildFile.Layer("etc", List.of(new BuildFile.Copy(files.resolve("etc"), "/etc")), "644", null));
        // /tmp and the data folder are writable by whichever non-root user runs the image (a
        // Kubernetes pod mounts volumes over both; plain docker run uses these).
        layers.add(new BuildFile.Layer("writable", List.of(new BuildFile.Copy(files.resolve("writable/tmp"), "/tmp"),
                new BuildFile.Copy(files.resolve("writable/data"), DATA)), null, "777"));
        layers.add(new BuildFile.Layer("slipway", List.of(new BuildFile.Copy(files.resolve("opt"), "/opt")), "644", null));
        return new BuildFile(null, List.of(), Instant.EPOCH, "OCI",
                Map.of("JAVA_HOME", JavaRuntimeBase.JAVA_HOME, "PATH", JavaRuntimeBase.JAVA_HOME + "/bin", "HOME", "/tmp"),
                Map.of("org.opencontainers.image.title", "slipway-registry",
                        "org.opencontainers.image.description", "The Slipway registry (slipway registry serve)"),
                List.of(), List.of(PORT + "/tcp"), USER, DATA,
                // The container's memory limit sizes the heap; the arguments are the Deployment's.
                List.of(JavaRuntimeBase.JAVA_HOME + "/bin/java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/slipway/slipway.jar"),
                List.of("registry", "serve", "--listen", "0.0.0.0:" + PORT, "--data", DATA), layers);
    }
}
