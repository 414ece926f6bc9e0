package io.slipway.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.testing.IamFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pipeline's tasks run by {@link PipelineHarness} as Tekton would run them, against a real
 * token-authenticated Slipway registry and a Git repository: the steps' scripts run with /bin/sh,
 * {@code slipway} is the CLI jar this build made, credentials come from a Docker config.json in the
 * dockerconfig workspace and a cosign key in the signing-key workspace. At the end the image is in
 * the registry, gated, signed, and deployed by a commit, and the Pipeline's results name it.
 */
class TektonPipelineTest {
    @TempDir
    Path tmp;
    IamFixture iam;

    @BeforeEach
    void start() throws Exception {
        iam = new IamFixture(tmp.resolve("registry"));
    }

    @AfterEach
    void stop() throws Exception {
        iam.close();
    }

    @Test
    void theExamplePipelineBuildsGatesSignsAndDeploys() throws Exception {
        String url = iam.server.uri().toString().replaceAll("/+$", "");
        String host = "127.0.0.1:" + iam.server.port();

        Workspaces ws = Workspaces.create(tmp, iam);
        Path bin = ws.bin();
        Path slipway = ws.slipway();
        Path source = ws.source();
        Path dockerconfig = ws.dockerconfig();
        Path key = ws.signingKey();
        Path bare = ws.gitops();

        PipelineHarness harness = new PipelineHarness(new TaskHarness(Files.createDirectories(tmp.resolve("runs")), bin,
                Map.of("COSIGN_PASSWORD", "")));
        PipelineHarness.Run run = harness.run(TektonDefinitionsTest.pipeline(), TektonDefinitionsTest.tasks(),
                Map.of("REGISTRY", url, "IMAGE", "acme-dev/greeter:1.0", "GITOPS_URL", bare.toUri().toString(),
                        // The values hold hello-service, not greeter: the key is named (found by name it is refused).
                        "DEV_VALUES", "hello-service/envs/dev/values.yaml", "DEV_KEYS", "image"),
                Map.of("source", source, "dockerconfig", dockerconfig, "signing-key", key));

        StringBuilder log = new StringBuilder();
        run.tasks().forEach((name, r) -> log.append("--- ").append(name).append(" (exit ").append(r.exitCode()).append(")\n")
                .append(r.output()));
        assertThat(run.succeeded()).as(log.toString()).isTrue();
        assertThat(run.tasks().keySet()).containsExactly("build", "gate", "sign", "deploy");
        String digest = run.results().get("IMAGE_DIGEST");
        String imageUrl = run.results().get("IMAGE_URL");
        assertThat(digest).matches("sha256:[0-9a-f]{64}");
        assertThat(imageUrl).isEqualTo(host + "/acme-dev/greeter:1.0");

        // Pushed and signed: the manifest and cosign's signature tag are in the registry.
        String token = iam.token(iam.keys.get("reader"), "repository:acme-dev/greeter:pull");
        HttpClient http = HttpClient.newHttpClient();
        for (String reference : new String[] {digest, digest.replace(':', '-') + ".sig"}) {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v2/acme-dev/greeter/manifests/" + reference))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.discarding());
            assertThat(r.statusCode()).as(reference).isEqualTo(200);
        }
        assertThat(run.tasks().get("gate").output()).contains("passed");
        // Deployed: the commit the task reported holds the image in the dev values.
        String commit = run.tasks().get("deploy").results().get("COMMIT");
        assertThat(commit).matches("[0-9a-f]{40}");
        Path check = tmp.resolve("check");
        try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(check.toFile()).call()) {
            assertThat(git.getRepository().resolve("HEAD").name()).isEqualTo(commit);
        }
        assertThat(Files.readString(check.resolve("hello-service/envs/dev/values.yaml"))).contains(host + "/acme-dev/greeter")
                .contains("1.0@" + digest);

        // Promotion to prod, as its own TaskRun: the manager's image policy for prod wants the signature.
        Path policy = tmp.resolve("prod-policy.yaml");
        Files.writeString(policy, """
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata: {name: production, namespace: prod}
                spec:
                  repositories:
                    - name: "%s/acme-dev/*"
                      policy:
                        trust:
                          signerKeys: [{name: release}]
                """.formatted(host));
        for (String[] command : new String[][] {
                {"policy", "key-add", "release", "--cluster", "--public-key", key.resolve("cosign.pub").toString()},
                {"policy", "apply", "-f", policy.toString()}}) {
            Process p = new ProcessBuilder(java.util.stream.Stream.concat(java.util.stream.Stream.of(slipway.toString()),
                    java.util.stream.Stream.concat(java.util.Arrays.stream(command),
                            java.util.stream.Stream.of("--registry", url, "--api-key", command[1].equals("key-add")
                                    ? iam.adminKey : iam.keys.get("manager")))).toList())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
        }
        Path managerConfig = Files.createDirectories(tmp.resolve("manager-dockerconfig"));
        String managerAuth = Base64.getEncoder().encodeToString(("iamapikey:" + iam.keys.get("manager"))
                .getBytes(StandardCharsets.UTF_8));
        Files.writeString(managerConfig.resolve("config.json"), "{\"auths\":{\"" + host + "\":{\"auth\":\"" + managerAuth + "\"}}}");
        TaskHarness.Run promote = new TaskHarness(Files.createDirectories(tmp.resolve("promote-run")), bin, Map.of())
                .run(TektonDefinitionsTest.tasks().get("slipway-promote"),
                        Map.of("REGISTRY", url, "GITOPS_URL", bare.toUri().toString(),
                                "FROM", "hello-service/envs/dev/values.yaml", "TO", "hello-service/envs/prod/values.yaml",
                                "TO_NAMESPACE", "acme-prod"),
                        Map.of("dockerconfig", managerConfig));
        assertThat(promote.succeeded()).as(promote.output()).isTrue();
        try (Git git = Git.open(check.toFile())) {
            git.pull().call();
        }
        assertThat(Files.readString(check.resolve("hello-service/envs/prod/values.yaml"))).contains(host + "/acme-prod/greeter")
                .contains("1.0@" + digest);
    }

    /**
     * The build task holds the build to its source workspace (the CLI's --workspace, WorkspacePaths): a file the build
     * file copies that is a symbolic link out of the workspace fails the task with the reason, and nothing is pushed.
     */
    @Test
    void theBuildTaskRefusesAFileLinkedOutOfTheSourceWorkspace() throws Exception {
        String url = iam.server.uri().toString().replaceAll("/+$", "");
        Workspaces ws = Workspaces.create(tmp, iam);
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not for the image\n");
        Files.delete(ws.source().resolve("greeting.txt"));
        Files.createSymbolicLink(ws.source().resolve("greeting.txt"), secret);
        TaskHarness.Run build = new TaskHarness(Files.createDirectories(tmp.resolve("build-run")), ws.bin(), Map.of())
                .run(TektonDefinitionsTest.tasks().get("slipway-build"), Map.of("REGISTRY", url, "IMAGE", "acme-dev/greeter:linked"),
                        Map.of("source", ws.source(), "dockerconfig", ws.dockerconfig()));
        assertThat(build.succeeded()).as(build.output()).isFalse();
        assertThat(build.output()).contains("layer app: source").contains("is outside the workspace")
                .contains("symbolic link to " + secret.toRealPath());
        String token = iam.token(iam.keys.get("reader"), "repository:acme-dev/greeter:pull");
        HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v2/acme-dev/greeter/manifests/linked"))
                .header("Authorization", "Bearer " + token).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(r.statusCode()).isEqualTo(404);
    }
}
