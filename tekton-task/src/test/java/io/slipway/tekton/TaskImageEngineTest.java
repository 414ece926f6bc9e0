package io.slipway.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.pipeline.build.BuildStep;
import io.slipway.registry.testing.IamFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
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
 * one container runs build → gate → sign → deploy with the workspaces bind-mounted, against a real
 * token-auth registry on this machine (host networking) and a GitOps repository.
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
        if (engine != null) {
            if (Boolean.parseBoolean(System.getenv("SLIPWAY_REQUIRE_TOOLS"))) {
                throw new AssertionError("no container engine at DOCKER_HOST=" + System.getenv("DOCKER_HOST")
                        + " (.ci/run installs docker.io and starts dockerd): " + engine);
            }
            Assumptions.abort("no container engine (set DOCKER_HOST)");
        }
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
        // The step runs as user 1000: it must be able to write what a PipelineRun's volumes let it write.
        try (Stream<Path> all = Stream.of(ws.source(), ws.gitops(), ws.signingKey(), ws.dockerconfig()).flatMap(this::walk)) {
            all.forEach(p -> p.toFile().setWritable(true, false));
        }
        for (Path p : new Path[] {ws.signingKey().resolve("cosign.key")}) {
            p.toFile().setReadable(true, false);
        }
        String url = iam.server.uri().toString().replaceAll("/+$", "");
        String script = String.join("\n",
                "set -eu",
                "cd /workspace/source",
                "slipway build --build-file jib.yaml --image acme-dev/boxed:1.0 --digest-file /tmp/digest",
                "image=\"" + ws.host() + "/acme-dev/boxed:1.0@$(cat /tmp/digest)\"",
                "slipway gate --image \"$image\" --severity high --timeout 2m",
                "slipway sign --image \"$image\" --key /workspace/signing-key/cosign.key",
                "slipway deploy --gitops file:///workspace/gitops --values hello-service/envs/dev/values.yaml --image \"$image\"",
                "echo DONE $(cat /tmp/digest)");
        try (GenericContainer<?> step = new GenericContainer<>(DockerImageName.parse(name))
                .withNetworkMode("host")
                .withEnv("SLIPWAY_REGISTRY", url)
                .withEnv("DOCKER_CONFIG", "/workspace/dockerconfig")
                .withEnv("COSIGN_PASSWORD", "")
                .withFileSystemBind(ws.source().toString(), "/workspace/source", BindMode.READ_WRITE)
                .withFileSystemBind(ws.dockerconfig().toString(), "/workspace/dockerconfig", BindMode.READ_ONLY)
                .withFileSystemBind(ws.signingKey().toString(), "/workspace/signing-key", BindMode.READ_ONLY)
                .withFileSystemBind(ws.gitops().toString(), "/workspace/gitops", BindMode.READ_WRITE)
                .withCreateContainerCmdModifier(c -> c.withEntrypoint("/bin/sh"))
                .withCommand("-c", script)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(5)))) {
            String logs = "";
            try {
                step.start();
            } finally {
                logs = step.getLogs();
            }
            assertThat(logs).containsPattern("DONE sha256:[0-9a-f]{64}");
            String digest = logs.substring(logs.indexOf("DONE ") + 5).strip();
            Path check = tmp.resolve("check");
            Git.cloneRepository().setURI(ws.gitops().toUri().toString()).setDirectory(check.toFile()).call().close();
            assertThat(Files.readString(check.resolve("hello-service/envs/dev/values.yaml")))
                    .contains(ws.host() + "/acme-dev/boxed").contains("1.0@" + digest);
            String token = iam.token(iam.keys.get("reader"), "repository:acme-dev/boxed:pull");
            var signature = iam.http.get("/v2/acme-dev/boxed/manifests/" + digest.replace(':', '-') + ".sig",
                    "Authorization", "Bearer " + token, "Accept", "application/vnd.oci.image.manifest.v1+json");
            assertThat(signature.statusCode()).as(logs).isEqualTo(200);
        }
    }

    private Stream<Path> walk(Path p) {
        try {
            return Files.walk(p).toList().stream();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
