package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import io.slipway.cli.Slipway;
import io.slipway.gitops.GitHttpServer;
import io.slipway.gitops.SeededRepository;
import io.slipway.gitops.SshGitServer;
import io.slipway.oci.client.RegistryClient;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Log4jJars;
import io.slipway.trust.cosign.SignatureManifest;
import io.slipway.trust.keys.CosignKeyGenerator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The steps' executions as a Pipeline runs them, with Jenkins' own objects replaced by the small
 * doubles of this package (a StepContext, a build log, a credentials store, a workspace whose
 * callables make the trip through serialization), against a real token-auth Slipway registry with
 * the real Log4Shell advisory and a real smart-HTTP Git server that wants a password. In order:
 * the registry block, build, gate (fails, then passes after the fix, then survives a "restart"),
 * sign, deploy, promote (denied, then allowed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StepExecutionsTest {
    private static final Path EXAMPLES = Path.of("../../examples").toAbsolutePath().normalize();
    private static final String DEV_VALUES = "hello-service/envs/dev/values.yaml";
    private static final String PROD_VALUES = "hello-service/envs/prod/values.yaml";

    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;
    String host;
    GitHttpServer git;
    Path bare;
    Path workspace;
    TestCredentials credentials;
    String vulnerable;
    String fixed;
    final StringBuilder allLogs = new StringBuilder();

    @BeforeAll
    void start() throws Exception {
        iam = new IamFixture(tmp.resolve("registry"));
        url = iam.server.uri().toString();
        host = "127.0.0.1:" + iam.server.port();
        cli("va", "db", "import", "--data", tmp.resolve("registry").toString(),
                EXAMPLES.resolve("advisories/GHSA-jfh8-c2jp-5v3q.json").toString());
        iam.server.scans().sweep();

        // the example GitOps tree, with the registry host of this test in its values
        bare = SeededRepository.create(Files.createDirectories(tmp.resolve("repos")).resolve("gitops.git"),
                EXAMPLES.resolve("gitops"), text -> text.replace("registry.example.com", host));
        git = new GitHttpServer(tmp.resolve("repos"), Map.of("jenkins", "git-s3cret"));

        workspace = Files.createDirectories(tmp.resolve("jobs/app/workspace"));
        credentials = new TestCredentials()
                .userPassword("slipway-ci", "iamapikey", iam.keys.get("ci"))
                .text("slipway-manager", iam.keys.get("manager"))
                .userPassword("gitops", "jenkins", "git-s3cret");
    }

    @AfterAll
    void stop() throws Exception {
        if (git != null) {
            git.close();
        }
        if (iam != null) {
            iam.close();
        }
        // no secret reached any build log of this class
        assertThat(allLogs.toString()).doesNotContain(iam.keys.get("ci")).doesNotContain(iam.keys.get("manager"))
                .doesNotContain("git-s3cret");
    }

    @Test
    @Order(1)
    void registryBlockGivesTheBodyCredentialsADockerConfigAndMasking() throws Exception {
        TestContext context = context().body(inside -> {
            EnvVars env = inside.get(EnvVars.class);
            assertThat(env.get("SLIPWAY_REGISTRY")).isEqualTo(url);
            assertThat(env.get("SLIPWAY_API_KEY")).isEqualTo(iam.keys.get("ci"));
            Path config = Path.of(env.get("DOCKER_CONFIG")).resolve("config.json");
            assertThat(config.getParent().getParent()).isEqualTo(workspace.resolveSibling("workspace@tmp"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
            JsonNode auth = new ObjectMapper().readTree(config.toFile()).path("auths").path(host).path("auth");
            assertThat(new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8))
                    .isEqualTo("iamapikey:" + iam.keys.get("ci"));
            // an sh step that prints the key, or the Docker config, shows stars
            inside.listener().getLogger().println("key is " + env.get("SLIPWAY_API_KEY") + " auth " + auth.asText());
            assertThat(inside.get(RegistryBinding.class).getCredentialsId()).isEqualTo("slipway-ci");
            return config;
        });
        Path config = (Path) start(new WithSlipwayRegistryStep(url), "slipway-ci", context).await();
        String log = log(context);
        assertThat(log).contains("Slipway registry " + url + " as iamapikey; DOCKER_CONFIG=")
                .contains("key is **** auth ****");
        assertThat(config).doesNotExist();
        assertThat(config.getParent()).doesNotExist();
    }

    @Test
    @Order(2)
    void registryBlockCleansUpWhenTheBodyFailsAndRefusesUnknownCredentials() throws Exception {
        TestContext failing = context().body(inside -> {
            assertThat(Path.of(inside.get(EnvVars.class).get("DOCKER_CONFIG"))).isDirectory();
            throw new AbortException("body failed");
        });
        assertThat(start(new WithSlipwayRegistryStep(url), "slipway-ci", failing).failure()).hasMessage("body failed");
        try (Stream<Path> left = Files.list(workspace.resolveSibling("workspace@tmp"))) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("slipway-docker"))).isEmpty();
        }
        // the block starts off the CPS thread: a refusal arrives as the step's failure
        assertThat(start(new WithSlipwayRegistryStep(url), "nope", context().body(inside -> null)).failure())
                .isInstanceOf(AbortException.class).hasMessageContaining("no credentials \"nope\" for the registry");
        assertThat(start(new WithSlipwayRegistryStep("ftp://x"), null, context().body(inside -> null)).failure())
                .isInstanceOf(AbortException.class).hasMessageContaining("must start with http:// or https://");
        // credentials never go over plain HTTP to another machine
        int lookups = credentials.lookups.getOrDefault("slipway-ci", 0);
        assertThat(start(new WithSlipwayRegistryStep("http://registry.example.com"), "slipway-ci",
                context().body(inside -> null)).failure())
                .isInstanceOf(AbortException.class).hasMessageContaining("refusing to send credentials")
                .hasMessageContaining("over plain HTTP");
        assertThat(credentials.lookups.getOrDefault("slipway-ci", 0)).as("the secret was not even read").isEqualTo(lookups);
    }

    @Test
    @Order(3)
    void buildInsideTheBlockPushesWithJibAndReturnsTheDigest() throws Exception {
        writeService("2.14.1");
        TestContext outer = context();
        SlipwayBuildStep build = new SlipwayBuildStep("acme-dev/svc:1.0");
        build.setTags(List.of("candidate"));
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) start(new WithSlipwayRegistryStep(url), "slipway-ci",
                outer.body(inside -> run(build, inside))).await();
        vulnerable = (String) result.get("digest");
        assertThat(result.get("reference")).isEqualTo(host + "/acme-dev/svc@" + vulnerable);
        assertThat(result.get("url")).isEqualTo(host + "/acme-dev/svc:1.0");
        assertThat(result.get("pinned")).isEqualTo(host + "/acme-dev/svc:1.0@" + vulnerable);
        assertThat(result.get("tags")).isEqualTo(List.of("1.0", "candidate"));
        RegistryClient reader = new RegistryClient(url, "iamapikey", iam.keys.get("reader"));
        assertThat(reader.manifestDigest("acme-dev/svc", "candidate").toString()).isEqualTo(vulnerable);
        assertThat(log(outer)).contains("pushed " + host + "/acme-dev/svc@" + vulnerable);
    }

    @Test
    @Order(4)
    void buildRefusesBadInputClearly() throws Exception {
        SlipwayBuildStep outside = new SlipwayBuildStep("acme-dev/svc:1.0");
        outside.setBuildFile("../outside/jib.yaml");
        outside.setRegistry(url);
        outside.setCredentialsId("slipway-ci");
        assertThat(runFailing(outside, context())).isInstanceOf(AbortException.class)
                .hasMessageContaining("outside the workspace");
        // no registry at all
        assertThat(runFailing(new SlipwayBuildStep("acme-dev/svc:1.0"), context())).isInstanceOf(AbortException.class)
                .hasMessageContaining("slipwayBuild needs a registry");
        // a target with a digest, and a namespace the CI service ID may not push to
        SlipwayBuildStep digest = new SlipwayBuildStep("acme-dev/svc@sha256:" + "a".repeat(64));
        digest.setRegistry(url);
        assertThat(runFailing(digest, context())).isInstanceOf(AbortException.class).hasMessageContaining("must not name a digest");
        SlipwayBuildStep prod = new SlipwayBuildStep("acme-prod/svc:1.0");
        prod.setRegistry(url);
        prod.setCredentialsId("slipway-ci");
        assertThat(runFailing(prod, context())).isInstanceOf(AbortException.class).hasMessageContaining("slipwayBuild");
    }

    /**
     * Credentials and files stay home in the Jenkins steps too, through pipeline-core's and oci-core's one rule:
     * a build file or cache that is a symbolic link out of the workspace is refused, and a Git password is not sent
     * over plain HTTP to a host off this machine (192.0.2.1, TEST-NET-1: nothing is sent, nothing answers).
     */
    @Test
    @Order(4)
    void filesAndGitPasswordsStayHome() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside-workspace"));
        Files.writeString(outside.resolve("jib.yaml"), "apiVersion: jib/v1alpha1\nkind: BuildFile\n");
        Path linkDir = Files.createDirectories(workspace.resolve("links"));
        Files.deleteIfExists(linkDir.resolve("jib.yaml"));
        Files.deleteIfExists(linkDir.resolve("cache"));
        Files.createSymbolicLink(linkDir.resolve("jib.yaml"), outside.resolve("jib.yaml"));
        Files.createSymbolicLink(linkDir.resolve("cache"), outside);
        SlipwayBuildStep linked = new SlipwayBuildStep("acme-dev/svc:1.0");
        linked.setBuildFile("links/jib.yaml");
        linked.setRegistry(url);
        linked.setCredentialsId("slipway-ci");
        assertThat(runFailing(linked, context())).isInstanceOf(AbortException.class)
                .hasMessageContaining("buildFile links/jib.yaml is outside the workspace")
                .hasMessageContaining("symbolic link to " + outside.toRealPath().resolve("jib.yaml"));
        Files.writeString(workspace.resolve("links/own.yaml"), "apiVersion: jib/v1alpha1\nkind: BuildFile\n");
        SlipwayBuildStep cached = new SlipwayBuildStep("acme-dev/svc:1.0");
        cached.setBuildFile("links/own.yaml");
        cached.setCache("links/cache/jib");
        cached.setRegistry(url);
        cached.setCredentialsId("slipway-ci");
        assertThat(runFailing(cached, context())).isInstanceOf(AbortException.class)
                .hasMessageContaining("cache links/cache/jib is outside the workspace");

        SlipwayDeployStep plain = new SlipwayDeployStep("http://192.0.2.1/team/gitops.git", DEV_VALUES,
                host + "/acme-dev/svc:1.0@sha256:" + "a".repeat(64));
        plain.setGitCredentialsId("gitops");
        assertThat(runFailing(plain, context())).isInstanceOf(AbortException.class)
                .hasMessageContaining("refusing to send the Git token or password over plain HTTP to http://192.0.2.1:80");
    }

    @Test
    @Order(5)
    void gateFailsOnLog4ShellWithTheFixedVersionAndPassesAfterTheFix() throws Exception {
        SlipwayGateStep gate = gate(host + "/acme-dev/svc:1.0@" + vulnerable);
        TestContext failed = context();
        Throwable failure = start(gate, failed).failure();
        assertThat(failure).isInstanceOf(AbortException.class)
                .hasMessageContaining("gate failed").hasMessageContaining("CVE-2021-44228 (CRITICAL)");
        assertThat(log(failed)).contains("CVE-2021-44228").contains("2.15.0").contains("BLOCKS");

        writeService("2.17.1");
        SlipwayBuildStep build = new SlipwayBuildStep("acme-dev/svc:1.1");
        build.setRegistry(url);
        build.setCredentialsId("slipway-ci");
        fixed = (String) ((Map<?, ?>) run(build, context())).get("digest");
        TestContext passed = context();
        Map<?, ?> verdict = (Map<?, ?>) start(gate("acme-dev/svc@" + fixed), passed).await();
        assertThat(verdict.get("passed")).isEqualTo(true);
        assertThat(verdict.get("status")).isEqualTo("No Issues");
        assertThat(log(passed)).contains("gate passed: acme-dev/svc@" + fixed);

        // bad input fails before anything is scheduled
        assertThatThrownBy(() -> gate("acme-dev/svc:1.1").start(context())).isInstanceOf(AbortException.class)
                .hasMessageContaining("has no digest");
        SlipwayGateStep severe = gate("acme-dev/svc@" + fixed);
        severe.setSeverity("severe");
        assertThatThrownBy(() -> severe.start(context())).isInstanceOf(AbortException.class);
    }

    @Test
    @Order(6)
    void gateLooksAgainWhileTheRegistryIsUnreachableUntilItsDeadline() throws Exception {
        SlipwayGateStep gate = gate("acme-dev/svc@" + fixed);
        gate.setRegistry("http://127.0.0.1:1");
        gate.setTimeout("1s");
        TestContext context = context();
        Throwable failure = start(gate, context).failure();
        assertThat(failure).isInstanceOf(AbortException.class).hasMessageContaining("registry unreachable");
        assertThat(log(context)).contains("looking again");
    }

    @Test
    @Order(7)
    void waitingGatesHoldNoThreadOfTheirOwn() throws Exception {
        List<TestContext> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            SlipwayGateStep gate = gate("acme-dev/svc@" + fixed);
            gate.setRegistry("http://127.0.0.1:1"); // never answers: every gate waits to its deadline
            gate.setTimeout("5s");
            waiting.add(start(gate, context()));
        }
        long gateThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("Slipway gate")).count();
        assertThat(waiting).noneMatch(c -> c.outcome.isDone());
        assertThat(gateThreads).isBetween(1L, 2L);
        for (TestContext c : waiting) {
            assertThat(c.failure()).hasMessageContaining("registry unreachable");
            log(c);
        }
    }

    @Test
    @Order(8)
    void gateResumesAfterAControllerRestartWithTheDeadlineItHad() throws Exception {
        TestContext before = context();
        SlipwayGateStep.Execution execution = (SlipwayGateStep.Execution) gate("acme-dev/svc@" + fixed).start(before);
        execution.start();
        byte[] saved = serialize(execution); // what Jenkins keeps in program.dat
        execution.stop(new InterruptedException("controller shutting down"));

        TestContext after = before.restart(new TestListener(), new FilePath(workspace.toFile()), credentials);
        SlipwayGateStep.Execution resumed = (SlipwayGateStep.Execution) deserialize(saved);
        assertThat(resumed.getContext()).isSameAs(after);
        resumed.onResume();
        assertThat(((Map<?, ?>) after.await()).get("passed")).isEqualTo(true);
        assertThat(log(after)).contains("Jenkins restarted while the gate waited").contains("gate passed");
    }

    @Test
    @Order(9)
    void signStoresACosignSignatureWithAnEncryptedKeyFromASecretFile() throws Exception {
        CosignKeyGenerator.KeyPairFiles keys = new CosignKeyGenerator().writeTo(tmp, "release", "horse".toCharArray());
        credentials.file("release-key", "cosign.key", Files.readAllBytes(keys.privateKey()))
                .text("release-passphrase", "horse")
                .text("wrong-passphrase", "battery");
        SlipwaySignStep sign = new SlipwaySignStep(host + "/acme-dev/svc@" + fixed, "release-key");
        sign.setPassphraseCredentialsId("release-passphrase");
        sign.setRegistry(url);
        sign.setCredentialsId("slipway-ci");
        Map<?, ?> signed = (Map<?, ?>) run(sign, context());
        assertThat(signed.get("signatureTag")).isEqualTo("sha256-" + fixed.substring(7) + ".sig");
        assertThat(signed.get("signatures")).isEqualTo(1);
        RegistryClient reader = new RegistryClient(url, "iamapikey", iam.keys.get("reader"));
        assertThat(SignatureManifest.parse(reader.manifest("acme-dev/svc", (String) signed.get("signatureTag")).bytes())
                .signatureLayers()).hasSize(1);
        assertThat(cli("verify", "--image", "acme-dev/svc@" + fixed, "--key", keys.publicKey().toString(),
                "--registry", url, "--api-key", iam.keys.get("reader"))).contains("verified");

        SlipwaySignStep wrong = new SlipwaySignStep("acme-dev/svc@" + fixed, "release-key");
        wrong.setPassphraseCredentialsId("wrong-passphrase");
        wrong.setRegistry(url);
        wrong.setCredentialsId("slipway-ci");
        assertThat(runFailing(wrong, context())).isInstanceOf(AbortException.class).hasMessageStartingWith("slipwaySign: ");
        assertThat(runFailing(new SlipwaySignStep("acme-dev/svc@" + fixed, "missing"), context()))
                .hasMessageContaining("slipwaySign");
        Files.writeString(tmp.resolve("release.pub.path"), keys.publicKey().toString());
    }

    @Test
    @Order(10)
    void deployCommitsTheImageToTheGitOpsRepositoryOverAuthenticatedHttp() throws Exception {
        SlipwayDeployStep deploy = new SlipwayDeployStep(git.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.0@" + vulnerable);
        deploy.setGitCredentialsId("gitops");
        // The values hold hello-service, not svc: found by name it is refused, so the key is named.
        assertThat(runFailing(deploy, context())).isInstanceOf(AbortException.class)
                .hasMessageContaining("no image in the values has the repository acme-dev/svc")
                .hasMessageContaining("image (" + host + "/hello-dev/hello-service)");
        deploy.setKeys(List.of("image"));
        TestContext context = context().with(new EnvVars(Map.of("BUILD_URL", "https://jenkins.example.com/job/app/7/")));
        Map<?, ?> result = (Map<?, ?>) run(deploy, context);
        assertThat(result.get("pushed")).isEqualTo(true);
        RevCommit head = head();
        assertThat(head.getName()).isEqualTo(result.get("commit"));
        assertThat(head.getFullMessage()).contains("Build-Url: https://jenkins.example.com/job/app/7/");
        assertThat(read(DEV_VALUES)).contains(vulnerable).contains("# dev: every build that passes the gate lands here.");

        SlipwayDeployStep refused = new SlipwayDeployStep(git.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.1@" + fixed);
        assertThat(runFailing(refused, context())).isInstanceOf(AbortException.class).hasMessageContaining("slipwayDeploy");
        assertThat(head().getName()).isEqualTo(result.get("commit"));
    }

    @Test
    @Order(11)
    void promoteIsDeniedByThePolicyThenAllowedAfterTheFixedSignedImageIsInDev() throws Exception {
        Path pub = Path.of(Files.readString(tmp.resolve("release.pub.path")));
        cli("policy", "key-add", "release", "--cluster", "--public-key", pub.toString(), "--registry", url, "--api-key", iam.adminKey);
        Path policy = tmp.resolve("policy.yaml");
        Files.writeString(policy, """
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata:
                  name: production
                  namespace: prod
                spec:
                  repositories:
                    - name: "%1$s/acme-dev/*"
                      policy:
                        trust:
                          signerKeys:
                            - name: release
                        vulnerability:
                          severity: high
                """.formatted(host));
        cli("policy", "apply", "-f", policy.toString(), "--registry", url, "--api-key", iam.keys.get("manager"));

        SlipwayPromoteStep promote = new SlipwayPromoteStep(git.url("gitops.git"), DEV_VALUES, PROD_VALUES);
        promote.setGitCredentialsId("gitops");
        promote.setToNamespace("acme-prod");
        promote.setRegistry(url);
        promote.setCredentialsId("slipway-manager");
        String before = head().getName();
        Throwable denied = runFailing(promote, context());
        assertThat(denied).isInstanceOf(AbortException.class).hasMessageContaining("the image policy for prod denies")
                .hasMessageContaining(vulnerable);
        assertThat(head().getName()).isEqualTo(before);

        SlipwayDeployStep deploy = new SlipwayDeployStep(git.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.1@" + fixed);
        deploy.setKeys(List.of("image"));
        deploy.setGitCredentialsId("gitops");
        run(deploy, context());
        Map<?, ?> promoted = (Map<?, ?>) run(promote, context());
        assertThat(promoted.get("promoted")).isEqualTo(true);
        assertThat(promoted.get("target")).isEqualTo(host + "/acme-prod/svc:1.1@" + fixed);
        assertThat(read(PROD_VALUES)).contains("acme-prod/svc").contains(fixed);
        RegistryClient manager = new RegistryClient(url, "iamapikey", iam.keys.get("manager"));
        assertThat(manager.manifestDigest("acme-prod/svc", "1.1").toString()).isEqualTo(fixed);
    }

    @Test
    @Order(12)
    void deployRunsOnAThreadWhoseContextClassLoaderCannotSeeThePlugin() throws Exception {
        // a Jenkins step thread's context class loader is the web application's: it sees none of the
        // plugin's libraries. The step (render check on) must not depend on it
        ClassLoader blind = new URLClassLoader(new URL[0], null);
        assertThatThrownBy(() -> blind.loadClass(SlipwayDeployStep.class.getName())).isInstanceOf(ClassNotFoundException.class);
        SlipwayDeployStep deploy = new SlipwayDeployStep(git.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.1.1@" + fixed);
        deploy.setKeys(List.of("image"));
        deploy.setGitCredentialsId("gitops");
        TestContext context = context().with(new EnvVars(Map.of("BUILD_URL", "https://jenkins.example.com/job/app/8/")));
        Thread starter = new Thread(() -> {
            try {
                deploy.start(context).start(); // the step's own thread inherits this context class loader
            } catch (Exception e) {
                context.onFailure(e);
            }
        });
        starter.setContextClassLoader(blind);
        starter.start();
        starter.join();
        Map<?, ?> result = (Map<?, ?>) context.await();
        log(context);
        assertThat(result.get("pushed")).isEqualTo(true);
        assertThat(read(DEV_VALUES)).contains("tag: \"1.1.1@" + fixed + "\"");
    }

    @Test
    @Order(13)
    void deployWithoutANativeHelmFailsClearlyWithoutADownloadAndTheNextDeployWorks() throws Exception {
        // the render jar as it would be on a platform helm-java has no native library for
        Path withoutNative = tmp.resolve("render-without-native.jar");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of("target/classes/io/slipway/jenkins/render/slipway-render.jar")));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(withoutNative))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String name = e.getName();
                if (name.endsWith(".so") || name.equals("META-INF/services/com.marcnuri.helm.jni.NativeLibrary")
                        || name.startsWith("com/marcnuri/helm/jni/linux/")) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(name));
                in.transferTo(out);
            }
        }
        String before = head().getName();
        SlipwayDeployStep deploy = new SlipwayDeployStep(git.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.1.2@" + fixed);
        deploy.setKeys(List.of("image"));
        deploy.setGitCredentialsId("gitops");
        // Maven Central is reachable from this machine: had helm-java fetched its native jar, this would pass
        Throwable failure = runFailing(deploy, context().with(new EnvVars(Map.of("SLIPWAY_RENDER_JAR", withoutNative.toString()))));
        assertThat(failure).isInstanceOf(AbortException.class)
                .hasMessageStartingWith("slipwayDeploy: no native Helm library for " + System.getProperty("os.name"))
                .hasMessageContaining("none is downloaded at run time");
        assertThat(head().getName()).isEqualTo(before);

        Map<?, ?> result = (Map<?, ?>) run(deploy, context());
        assertThat(result.get("pushed")).isEqualTo(true);
        assertThat(read(DEV_VALUES)).contains("tag: \"1.1.2@" + fixed + "\"");
    }

    @Test
    @Order(14)
    void agentLogLinesArriveBeforeTheStepEndsAndAMissingBuildUrlIsSaid() throws Exception {
        SlipwayDeployStep deploy = new SlipwayDeployStep(git.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.1.3@" + fixed);
        deploy.setKeys(List.of("image"));
        deploy.setGitCredentialsId("gitops");
        deploy.setRenderCheck(false);
        // the listener reaches the "agent" as a buffering remote end, as remoting's does
        TestContext context = new TestContext(new TestListener().remoted(), new FilePath(workspace.toFile()), credentials);
        Map<?, ?> result = (Map<?, ?>) run(deploy, context);
        assertThat(context.logAtEnd).contains("slipwayDeploy: the commit gets no Build-Url: trailer: BUILD_URL is not set")
                .contains("Pushed " + result.get("commit") + " to main");
        assertThat(head().getFullMessage()).doesNotContain("Build-Url:");
    }

    @Test
    @Order(15)
    void deployPushesOverSshWithAnSshPrivateKeyCredential() throws Exception {
        Path ssh = Files.createDirectories(tmp.resolve("ssh"));
        var userKey = SshGitServer.newUserKey(ssh.resolve("id_ecdsa"));
        try (SshGitServer server = new SshGitServer(tmp.resolve("repos"), ssh.resolve("host.ser"), userKey.getPublic())) {
            Path knownHosts = Files.writeString(ssh.resolve("known_hosts"), server.knownHostsLine() + "\n");
            credentials.sshKey("gitops-ssh", "git", Files.readString(ssh.resolve("id_ecdsa")), null)
                    .sshKey("gitops-ssh-locked", "git", Files.readString(ssh.resolve("id_ecdsa")), "secret");
            SlipwayDeployStep deploy = new SlipwayDeployStep(server.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.1.4@" + fixed);
            deploy.setKeys(List.of("image"));
            deploy.setGitCredentialsId("gitops-ssh");
            deploy.setRenderCheck(false);
            Map<?, ?> result = (Map<?, ?>) run(deploy, context().with(new EnvVars(Map.of("SLIPWAY_KNOWN_HOSTS", knownHosts.toString()))));
            assertThat(result.get("pushed")).isEqualTo(true);
            assertThat(head().getName()).isEqualTo(result.get("commit"));
            assertThat(read(DEV_VALUES)).contains("tag: \"1.1.4@" + fixed + "\"");

            // an unknown host is refused; a key with a passphrase is refused before anything is written
            SlipwayDeployStep next = new SlipwayDeployStep(server.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.1.5@" + fixed);
            next.setKeys(List.of("image"));
            next.setGitCredentialsId("gitops-ssh");
            next.setRenderCheck(false);
            Path empty = Files.writeString(ssh.resolve("empty_known_hosts"), "");
            assertThat(runFailing(next, context().with(new EnvVars(Map.of("SLIPWAY_KNOWN_HOSTS", empty.toString())))))
                    .isInstanceOf(AbortException.class).hasMessageStartingWith("slipwayDeploy: ");
            next.setGitCredentialsId("gitops-ssh-locked");
            assertThat(runFailing(next, context())).isInstanceOf(AbortException.class).hasMessageContaining("has a passphrase");
            assertThat(head().getName()).isEqualTo(result.get("commit"));
        }
    }

    // --- helpers ---

    TestContext context() {
        return new TestContext(new TestListener(), new FilePath(workspace.toFile()), credentials);
    }

    TestContext start(WithSlipwayRegistryStep step, String credentialsId, TestContext context) throws Exception {
        step.setCredentialsId(credentialsId);
        step.start(context).start();
        return context;
    }

    TestContext start(SlipwayGateStep step, TestContext context) throws Exception {
        step.start(context).start();
        return context;
    }

    /** Runs a step to its end in the context; its result, or its failure thrown. */
    Object run(org.jenkinsci.plugins.workflow.steps.Step step, TestContext context) throws Exception {
        step.start(context).start();
        try {
            return context.await();
        } finally {
            log(context);
        }
    }

    Throwable runFailing(org.jenkinsci.plugins.workflow.steps.Step step, TestContext context) throws Exception {
        step.start(context).start();
        try {
            return context.failure();
        } finally {
            log(context);
        }
    }

    String log(TestContext context) {
        String text = context.listener().text();
        allLogs.append(text);
        return text;
    }

    SlipwayGateStep gate(String image) {
        SlipwayGateStep gate = new SlipwayGateStep(image);
        gate.setRegistry(url);
        gate.setCredentialsId("slipway-ci");
        gate.setTimeout("60s");
        gate.setInterval("200ms");
        return gate;
    }

    /** The example service's files in the workspace: a jib build file and one log4j-core jar. */
    void writeService(String log4j) throws Exception {
        Path lib = workspace.resolve("lib");
        if (Files.exists(lib)) {
            try (Stream<Path> files = Files.walk(lib)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(lib);
        Files.write(lib.resolve("log4j-core-" + log4j + ".jar"), Log4jJars.log4jCore(log4j));
        Files.writeString(workspace.resolve("jib.yaml"), """
                apiVersion: jib/v1alpha1
                kind: BuildFile
                from: scratch
                creationTime: 2024-01-01T00:00:00Z
                format: OCI
                user: "1000"
                entrypoint: ["java", "-cp", "/app/lib/*", "Main"]
                layers:
                  entries:
                    - name: libraries
                      files:
                        - src: lib
                          dest: /app/lib
                """);
        Files.createDirectories(workspace.resolveSibling("outside"));
        Files.writeString(workspace.resolveSibling("outside/jib.yaml"), Files.readString(workspace.resolve("jib.yaml")));
    }

    RevCommit head() throws Exception {
        try (Git repo = Git.open(bare.toFile())) {
            return repo.log().add(repo.getRepository().resolve("main")).setMaxCount(1).call().iterator().next();
        }
    }

    String read(String path) throws Exception {
        Path clone = Files.createTempDirectory(tmp, "clone");
        try (Git repo = Git.cloneRepository().setURI(git.url("gitops.git")).setDirectory(clone.toFile())
                .setCredentialsProvider(new UsernamePasswordCredentialsProvider("jenkins", "git-s3cret")).call()) {
            return Files.readString(clone.resolve(path));
        }
    }

    static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Slipway.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertThat(code).as(String.join(" ", args) + "\n" + out + err).isZero();
        return out.toString();
    }

    static byte[] serialize(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    static Object deserialize(byte[] bytes) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }
}
