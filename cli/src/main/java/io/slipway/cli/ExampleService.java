package io.slipway.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds examples/hello-service the way its {@code mvn package} would lay it out (target/classes,
 * target/dependency next to jib.yaml), but in-process: the JDK's compiler and the Log4j jars from
 * {@link MavenJars}. A forked Maven costs seconds per build; this takes well under one, and needs
 * nothing on the machine beyond the JDK that runs Slipway.
 */
final class ExampleService {
    /** The two Log4j releases of the demo, with the SHA-256 of their jars on Maven Central. */
    static final String VULNERABLE = "2.14.1";
    static final String FIXED = "2.17.1";
    private static final Map<String, List<MavenJars.Artifact>> LOG4J = Map.of(
            VULNERABLE, List.of(
                    log4j("log4j-api", VULNERABLE, "8caf58db006c609949a0068110395a33067a2bad707c3da35e959c0473f9a916"),
                    log4j("log4j-core", VULNERABLE, "ade7402a70667a727635d5c4c29495f4ff96f061f12539763f6f123973b465b0")),
            FIXED, List.of(
                    log4j("log4j-api", FIXED, "b0d8a4c8ab4fb8b1888d0095822703b0e6d4793c419550203da9e69196161de4"),
                    log4j("log4j-core", FIXED, "c967f223487980b9364e94a7c7f9a8a01fd3ee7c19bdbf0b0f9f8cb8511f3d41")));

    private static MavenJars.Artifact log4j(String artifact, String version, String sha256) {
        return new MavenJars.Artifact("org.apache.logging.log4j", artifact, version, sha256);
    }

    /** A staged build: the build file to give Jib, and where its Log4j jars came from. */
    record Staged(Path buildFile, List<MavenJars.Found> jars) {
    }

    private final Path source;
    private final MavenJars jars;

    /** @param source the examples/hello-service folder */
    ExampleService(Path source, MavenJars jars) {
        this.source = source;
        this.jars = jars;
    }

    /** Compiles the service against {@code log4jVersion} into {@code stage} and copies jib.yaml there. */
    Staged stage(String log4jVersion, Path stage) throws IOException {
        List<MavenJars.Artifact> artifacts = LOG4J.get(log4jVersion);
        if (artifacts == null) {
            throw new IllegalArgumentException("the demo knows Log4j " + LOG4J.keySet() + ", not " + log4jVersion);
        }
        Path classes = Files.createDirectories(stage.resolve("target/classes"));
        Path dependency = Files.createDirectories(stage.resolve("target/dependency"));
        List<MavenJars.Found> found = new ArrayList<>();
        for (MavenJars.Artifact a : artifacts) {
            MavenJars.Found f = jars.resolve(a);
            found.add(f);
            Files.copy(f.jar(), dependency.resolve(f.jar().getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        compile(found.get(0).jar(), classes);
        Folders.copyTree(source.resolve("src/main/resources"), classes);
        Path buildFile = stage.resolve("jib.yaml");
        Files.copy(source.resolve("jib.yaml"), buildFile, StandardCopyOption.REPLACE_EXISTING);
        return new Staged(buildFile, found);
    }

    private void compile(Path log4jApi, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this Java runtime (" + System.getProperty("java.home")
                    + "): the demo compiles examples/hello-service, so run it with a JDK");
        }
        List<String> options = List.of("--release", "17", "-proc:none", "-encoding", "UTF-8",
                "-cp", log4jApi.toString(), "-d", classes.toString());
        List<String> sources;
        try (Stream<Path> files = Files.walk(source.resolve("src/main/java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).sorted().map(Path::toString).toList();
        }
        StringWriter diagnostics = new StringWriter();
        var task = javac.getTask(diagnostics, null, null, options, null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjectsFromStrings(sources));
        if (!task.call()) {
            throw new IllegalStateException("examples/hello-service does not compile:\n" + diagnostics);
        }
    }
}
