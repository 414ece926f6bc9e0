package io.slipway.tekton;

import io.slipway.testing.RequiredTools;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.pipeline.build.BuildStep;
import io.slipway.registry.testing.IamFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * The task image run as a container by a real engine (Debian's dockerd, which .ci/run starts;
 * DOCKER_HOST names it), driven through Testcontainers: loaded from its tarball with skopeo, then
 * the example Pipeline's Tasks run with every step a container of it (build → gate → sign →
 * deploy, workspaces bind-mounted), against a real token-auth registry on this machine (host
 * networking) and a GitOps repository; the Pipeline's results name the image deployed.
 */
class TaskImageEngineTest {
    @TempDir
    Path tmp;
    IamFixture iam;

    @BeforeEach
    void start() throws Exception {
        String engine = null;
        try {
            DockerClientFactory.instance().client();
        } catch (RuntimeException e) {
            engine = String.valueOf(e.getMessage());
        }
        RequiredTools.require(engine == null, "no container engine at DOCKER_HOST=" + System.getenv("DOCKER_HOST")
                + " (.ci/run installs docker.io and starts dockerd): " + engine);
        iam = new IamFixture(tmp.resolve("registry"));
    }

    @AfterEach
    void stop() throws Exception {
        if (iam != null) {
            iam.close();
        }
    }

    @Test
    void theTaskImageRunsThePipelineStepsInAContainer() throws Exception {
        Path tarball = tmp.resolve("task.tar");
        Digest image = BuildStep.writeTarball(TaskImage.buildFile(Workspaces.CLI_JAR, tmp.resolve("image")),
                "slipway/task:test", tarball);
        String name = "slipway/task:" + image.hex().substring(0, 12);
        Process load = new ProcessBuilder("skopeo", "copy", "--dest-daemon-host", System.getenv().getOrDefault("DOCKER_HOST",
                "unix:///var/run/docker.sock"), "oci-archive:" + tarball, "docker-daemon:" + name)
                .redirectErrorStream(true).start();
        String loaded = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(load.waitFor()).as(loaded).isZero();

        Workspaces ws = Workspaces.create(tmp, iam);
        String url = iam.server.uri().toString().replaceAll("/+$", "");
        // The example Pipeline's Tasks, each step a container of the task image.
        TaskHarness.StepRunner inContainer = inContainer(name, List.of(ws.gitops()));
        PipelineHarness harness = new PipelineHarness(new TaskHarness(Files.createDirectories(tmp.resolve("runs")),
                Map.of("COSIGN_PASSWORD", ""), inContainer));
        PipelineHarness.Run run = harness.run(TektonDefinitionsTest.pipeline(), TektonDefinitionsTest.tasks(),
                Map.of("REGISTRY", url, "IMAGE", "acme-dev/boxed:1.0", "GITOPS_URL", ws.gitops().toUri().toString(),
                        "DEV_VALUES", "hello-service/envs/dev/values.yaml", "DEV_KEYS", "image"),
                Map.of("source", ws.source(), "dockerconfig", ws.dockerconfig(), "signing-key", ws.signingKey()));
        StringBuilder log = new StringBuilder();
        run.tasks().forEach((task, r) -> log.append("--- ").append(task).append(" (exit ").append(r.exitCode()).append(")\n")
                .append(r.output()));
        assertThat(run.succeeded()).as(log.toString()).isTrue();
        String digest = run.results().get("IMAGE_DIGEST");
        assertThat(digest).matches("sha256:[0-9a-f]{64}");
        assertThat(run.results().get("IMAGE_URL")).isEqualTo(ws.host() + "/acme-dev/boxed:1.0");
        assertThat(run.tasks().get("deploy").results().get("COMMIT")).matches("[0-9a-f]{40}");
        Path check = tmp.resolve("check");
        Git.cloneRepository().setURI(ws.gitops().toUri().toString()).setDirectory(check.toFile()).call().close();
        assertThat(Files.readString(check.resolve("hello-service/envs/dev/values.yaml")))
                .contains(ws.host() + "/acme-dev/boxed").contains("1.0@" + digest);
        String token = iam.token(iam.keys.get("reader"), "repository:acme-dev/boxed:pull");
        var signature = iam.http.get("/v2/acme-dev/boxed/manifests/" + digest.replace(':', '-') + ".sig",
                "Authorization", "Bearer " + token, "Accept", "application/vnd.oci.image.manifest.v1+json");
        assertThat(signature.statusCode()).as(log.toString()).isEqualTo(200);
    }

    /**
     * Each step a container of {@code image}: host network (the registry is on this machine), every
     * path the step sees mounted at the same path, /bin/sh running the script as the image's user.
     */
    static TaskHarness.StepRunner inContainer(String image, List<Path> extraMounts) {
        return (script, env, workingDir, mounts, output) -> {
            List<Path> all = new java.util.ArrayList<>(mounts);
            all.addAll(extraMounts);
            for (Path m : all) {
                openUp(m);
            }
            try (GenericContainer<?> step = new GenericContainer<>(DockerImageName.parse(image))) {
                step.withNetworkMode("host")
                        .withWorkingDirectory(workingDir.toString())
                        .withCreateContainerCmdModifier(c -> c.withEntrypoint("/bin/sh"))
                        .withCommand(script.toString())
                        .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(5)));
                env.forEach(step::withEnv);
                for (Path m : all) {
                    step.withFileSystemBind(m.toString(), m.toString(), BindMode.READ_WRITE);
                }
                try {
                    step.start();
                } catch (org.testcontainers.containers.ContainerLaunchException e) {
                    // a non-zero exit: its code and output are read below
                    if (step.getContainerId() == null) {
                        // Testcontainers already removed the container: say so instead of failing on its id
                        output.append("the step's container exited non-zero and is gone: ").append(e.getMessage()).append('\n');
                        return 1;
                    }
                }
                output.append(step.getLogs());
                Long code = step.getDockerClient().inspectContainerCmd(step.getContainerId()).exec().getState().getExitCodeLong();
                return code == null ? 1 : code.intValue();
            }
        };
    }

    /** The step runs as user 1000: what a PipelineRun's volumes let it write, it may write here too. */
    private static void openUp(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.forEach(p -> {
                p.toFile().setReadable(true, false);
                p.toFile().setWritable(true, false);
                if (Files.isDirectory(p)) {
                    p.toFile().setExecutable(true, false);
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
