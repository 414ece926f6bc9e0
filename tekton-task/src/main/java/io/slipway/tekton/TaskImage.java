package io.slipway.tekton;

import io.slipway.oci.Digest;
import io.slipway.pipeline.build.BuildFile;
import io.slipway.pipeline.build.BuildStep;
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
 * The image the Tasks' steps run: made from files only (no base pulled from a public registry) —
 * a jlink'ed Java runtime with the modules the CLI uses and the C libraries it links to, a static
 * busybox as /bin/sh for the step scripts, the CA certificates, and the CLI jar behind a
 * {@code slipway} command. Reproducible: the same inputs give the same digest.
 */
public final class TaskImage {
    /** {@code jdeps --print-module-deps} of the shaded CLI jar, plus the EC provider its signatures need. */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.desktop", "java.management",
            "java.naming", "java.net.http", "java.rmi", "java.security.jgss", "java.sql", "jdk.net", "jdk.unsupported",
            "jdk.crypto.ec");
    /** Where busybox comes from: Debian's busybox-static. */
    static final Path BUSYBOX = Path.of(System.getenv().getOrDefault("SLIPWAY_BUSYBOX", "/bin/busybox"));
    static final Path CA_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");

    private TaskImage() {
    }

    /** Stages the files under {@code work} and returns the build file of the task image. */
    public static BuildFile buildFile(Path cliJar, Path work) throws IOException, InterruptedException {
        for (Path input : List.of(cliJar, BUSYBOX, CA_BUNDLE)) {
            if (!Files.isRegularFile(input)) {
                throw new IOException("the task image needs " + input + (input.equals(BUSYBOX)
                        ? " (apt-get install busybox-static)" : ""));
            }
        }
        BuildFile runtime = JavaRuntimeBase.of(MODULES).prepare(work.resolve("runtime"));
        Path shell = work.resolve("shell");
        copy(BUSYBOX, shell.resolve("bin/busybox"));
        copy(BUSYBOX, shell.resolve("bin/sh")); // busybox picks the applet from its name
        copy(CA_BUNDLE, shell.resolve("etc/ssl/certs/ca-certificates.crt"));
        Files.writeString(shell.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nslipway:x:1000:1000::/tmp:/bin/sh\n");
        Files.writeString(shell.resolve("etc/group"), "root:x:0:\nslipway:x:1000:\n");
        Files.createDirectories(shell.resolve("tmp"));
        Path cli = work.resolve("cli");
        copy(cliJar, cli.resolve("opt/slipway/slipway.jar"));
        Path command = cli.resolve("usr/local/bin/slipway");
        Files.createDirectories(command.getParent());
        // C1 only and the class data sharing archive: a step's command starts in well under a second.
        Files.writeString(command, "#!/bin/sh\nexec " + JavaRuntimeBase.JAVA_HOME + "/bin/java -XX:TieredStopAtLevel=1 "
                + "-XX:+UseSerialGC -Xshare:auto -jar /opt/slipway/slipway.jar \"$@\"\n");
        command.toFile().setExecutable(true, false);

        List<BuildFile.Layer> layers = new ArrayList<>(runtime.layers());
        layers.add(new BuildFile.Layer("shell", List.of(new BuildFile.Copy(shell.resolve("bin"), "/bin"),
                new BuildFile.Copy(shell.resolve("etc"), "/etc")), null, null));
        // Scripts use mktemp: /tmp is writable by the step's user (a container of one user).
        layers.add(new BuildFile.Layer("tmp", List.of(new BuildFile.Copy(shell.resolve("tmp"), "/tmp")), null, "777"));
        layers.add(new BuildFile.Layer("slipway", List.of(new BuildFile.Copy(cli.resolve("opt"), "/opt"),
                new BuildFile.Copy(cli.resolve("usr"), "/usr")), null, null));
        return new BuildFile(null, List.of(), Instant.EPOCH, "OCI",
                Map.of("JAVA_HOME", JavaRuntimeBase.JAVA_HOME, "PATH", "/usr/local/bin:" + JavaRuntimeBase.JAVA_HOME + "/bin:/bin",
                        "HOME", "/tmp"),
                Map.of("org.opencontainers.image.title", "slipway-task",
                        "org.opencontainers.image.description", "The slipway command for Tekton steps"),
                List.of(), List.of(), "1000:1000", "/tmp", List.of("/usr/local/bin/slipway"), null, layers);
    }

    /**
     * The Tasks as released: each {@code SLIPWAY_IMAGE} default becomes {@code repository@digest} of
     * the image this build made, so every step runs exactly those bytes. The source Tasks keep a
     * tag: the digest depends on the JDK, C library and busybox of the machine that builds it.
     */
    public static void pin(Path tasks, Path out, String repository, Digest digest) throws IOException {
        Files.createDirectories(out);
        String pinned = repository + "@" + digest;
        try (var files = Files.list(tasks)) {
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f);
                String replaced = text.replaceAll("(?m)^(\\s+- name: SLIPWAY_IMAGE\\n(?:\\s+description: [^\\n]*\\n))(\\s+default: )[^\\n]*",
                        "$1$2" + java.util.regex.Matcher.quoteReplacement(pinned));
                Files.writeString(out.resolve(f.getFileName()), replaced);
            }
        }
    }

    /**
     * {@code TaskImage CLI_JAR OUTPUT_TAR REPOSITORY TASKS_OUT [WORK_DIR]}: writes the image as a
     * tarball, the Tasks pinned to it, and prints its digest.
     */
    public static void main(String[] args) throws Exception {
        Path work = args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("slipway-task-image");
        Digest digest = BuildStep.writeTarball(buildFile(Path.of(args[0]), work), args[2], Path.of(args[1]));
        pin(Path.of("src/main/tekton"), Path.of(args[3]), args[2].replaceFirst(":[^:/]+$", ""), digest);
        System.out.println(digest);
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }
}
