package io.slipway.cli;

import io.slipway.oci.files.WorkspacePaths;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.build.BuildFile;
import io.slipway.pipeline.build.BuildFileParser;
import io.slipway.pipeline.build.BuildStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway build}: Jib Core from a jib-cli build file or a runnable jar, pushed to the registry. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build an image with Jib (from a jib-cli build file or a jar) and push it to the registry.")
final class BuildCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    static final class Source {
        @Option(names = "--build-file", paramLabel = "FILE", description = "jib-cli build file (jib/v1alpha1 BuildFile).")
        Path buildFile;

        @Option(names = "--jar", paramLabel = "JAR", description = "A runnable jar, placed at /app/app.jar and started with java -jar.")
        Path jar;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--from", paramLabel = "IMAGE", description = "Base image for --jar (must hold a java); default scratch.")
    String from;

    @Option(names = "--image", required = true, paramLabel = "REPO[:TAG]", description = "Target, ns/repo[:tag] in the registry.")
    String image;

    @Option(names = "--tag", paramLabel = "T", description = "Extra tag (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--digest-file", paramLabel = "F", description = "Write the image digest here.")
    Path digestFile;

    @Option(names = "--url-file", paramLabel = "F", description = "Write the full reference host/ns/repo@sha256:… here.")
    Path urlFile;

    @Option(names = "--workspace", paramLabel = "DIR", description = "The folder every file the build file copies must be "
            + "inside, symbolic links followed (default: the build file's folder).")
    Path workspace;

    @Option(names = "--cache", paramLabel = "DIR", description = "Layer cache kept between builds (default: ~/.slipway/cache/jib).")
    Path cache;

    @Override
    public Integer call() throws Exception {
        BuildFile file;
        Path root = null;
        if (source.buildFile != null) {
            if (!Files.isRegularFile(source.buildFile)) {
                throw new IllegalArgumentException("no build file " + source.buildFile);
            }
            Path named = source.buildFile.toAbsolutePath();
            root = workspace != null ? workspace : named.getParent();
            // By real path: a build file that is a link out of the workspace is refused, as the files it copies are.
            file = new BuildFileParser().parse(WorkspacePaths.requireInside(root, named, "build file"));
        } else {
            if (!Files.isRegularFile(source.jar)) {
                throw new IllegalArgumentException("no jar " + source.jar);
            }
            file = new BuildFile(from, List.of(), null, "Docker", Map.of(), Map.of(), List.of(), List.of(), null, "/app",
                    List.of("java", "-jar", "/app/app.jar"), null,
                    List.of(new BuildFile.Layer("app", List.of(new BuildFile.Copy(source.jar.toAbsolutePath(), "/app/app.jar")),
                            null, null)));
        }
        Path cacheDir = cache != null ? cache : Credentials.loginFile(System.getenv()).getParent().resolve("cache/jib");
        RegistryAccess access = registry.access();
        var out = spec.commandLine().getOut();
        BuildStep.Result r = new BuildStep(access, out::println).run(new BuildStep.Input(file, image, tags, cacheDir, root));
        if (digestFile != null) {
            Files.writeString(digestFile, r.image().digest().toString());
        }
        if (urlFile != null) {
            Files.writeString(urlFile, r.reference(access.host()));
        }
        out.println(r.reference(access.host()));
        return 0;
    }
}
