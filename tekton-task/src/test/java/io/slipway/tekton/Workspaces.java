package io.slipway.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.gitops.SeededRepository;
import io.slipway.registry.testing.IamFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * What a PipelineRun binds, made for a test: the sources of a small image (a jib.yaml from
 * scratch), a Docker config.json with the CI service ID's API key, a cosign key made by
 * {@code slipway key generate}, and a bare GitOps repository seeded from examples/gitops; plus the
 * {@code slipway} command on the host (the CLI jar this build made).
 */
record Workspaces(Path bin, Path slipway, Path source, Path dockerconfig, Path signingKey, Path gitops, String host) {
    static final Path CLI_JAR = Path.of("../cli/target/slipway-client.jar").toAbsolutePath().normalize();

    static Workspaces create(Path dir, IamFixture iam) throws Exception {
        assertThat(CLI_JAR).as("the CLI jar (mvn package of cli runs before this module)").isRegularFile();
        String host = "127.0.0.1:" + iam.server.port();
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path slipway = bin.resolve("slipway");
        Files.writeString(slipway, "#!/bin/sh\nexec java -jar '" + CLI_JAR + "' \"$@\"\n");
        slipway.toFile().setExecutable(true);

        Path source = Files.createDirectories(dir.resolve("source"));
        Files.writeString(source.resolve("greeting.txt"), "hello from a Tekton run\n");
        Files.writeString(source.resolve("jib.yaml"), """
                apiVersion: jib/v1alpha1
                kind: BuildFile
                from: scratch
                creationTime: 2024-01-01T00:00:00Z
                format: OCI
                user: "1000"
                entrypoint: ["/app/greeting.txt"]
                layers:
                  entries:
                    - name: app
                      files:
                        - src: greeting.txt
                          dest: /app/greeting.txt
                """);
        Path dockerconfig = Files.createDirectories(dir.resolve("dockerconfig"));
        String auth = Base64.getEncoder().encodeToString(("iamapikey:" + iam.keys.get("ci")).getBytes(StandardCharsets.UTF_8));
        Files.writeString(dockerconfig.resolve("config.json"), "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}");
        Path key = Files.createDirectories(dir.resolve("signing-key"));
        Process generate = new ProcessBuilder(slipway.toString(), "key", "generate", "--output-dir", key.toString())
                .redirectErrorStream(true).start();
        String generated = new String(generate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(generate.waitFor()).as(generated).isZero();

        Path bare = SeededRepository.create(dir.resolve("gitops.git"), Path.of("../examples/gitops"), null);
        return new Workspaces(bin, slipway, source, dockerconfig, key, bare, host);
    }
}
