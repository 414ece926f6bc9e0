package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.client.RegistryClient;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway demo --data DIR} in-process, then everything it claims checked in what it left:
 * the registry started again on its data (images, statuses, signatures, the prod copy, who may
 * push) and the bare GitOps repository (exactly two commits after the seed, each pinning the
 * digest). {@code DemoQuickStartIT} runs the README's {@code ./slipway demo} itself.
 */
class DemoCommandTest {
    @TempDir
    Path tmp;

    static final Pattern STEP_LINE = Pattern.compile("(?m)^\\[(\\d)/8] .+ \\((\\d+\\.\\d) s\\)$");

    @Test
    void theDemoLeavesWhatItSaysInTheRegistryAndTheGitOpsRepository() throws Exception {
        Path data = tmp.resolve("demo");
        CliRun demo = CliRun.slipway("demo", "--data", data.toString());
        assertThat(demo.code()).as(demo.out() + demo.err()).isZero();

        // eight steps, in order, each one line with its duration
        Matcher steps = STEP_LINE.matcher(demo.out());
        List<Integer> numbers = new ArrayList<>();
        while (steps.find()) {
            numbers.add(Integer.parseInt(steps.group(1)));
        }
        assertThat(numbers).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        // the gate stopped Log4Shell and showed its fix, then passed the rebuild
        assertThat(stepBlock(demo.out(), 3)).contains("gate failed").contains("CVE-2021-44228 (CRITICAL)")
                .containsPattern("CVE-2021-44228 +CRITICAL +org.apache.logging.log4j:log4j-core +2.14.1 +2.15.0 +BLOCKS")
                .contains("Advice: upgrade log4j-core to 2.17.1");
        assertThat(stepBlock(demo.out(), 4)).contains("log4j-core 2.17.1").contains("gate passed");

        Matcher at = Pattern.compile("registry up at http://(127\\.0\\.0\\.1:\\d+)").matcher(demo.out());
        assertThat(at.find()).isTrue();
        String demoHost = at.group(1);
        String adminKey = Files.readString(data.resolve("admin.key")).strip();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("admin.key"))))
                .isEqualTo("rw-------");

        String fixed;
        // started again on the demo's address: signatures name the registry host they were made for
        try (RegistryServer registry = RegistryServer.start(RegistryConfig.defaults().withListen(demoHost)
                .withDataDir(data.resolve("registry")))) {
            String url = registry.uri().toString();
            RegistryClient admin = new RegistryClient(url, "iamapikey", adminKey);
            String vulnerable = admin.manifestDigest("demo-dev/hello-service", "1.0").toString();
            fixed = admin.manifestDigest("demo-dev/hello-service", "1.1").toString();
            assertThat(fixed).isNotEqualTo(vulnerable);
            // promoted: the same image in the production namespace
            assertThat(admin.manifestDigest("demo-prod/hello-service", "1.1").toString()).isEqualTo(fixed);

            // both images with their security status: Log4Shell in 1.0, nothing in 1.1
            JsonNode images = Credentials.JSON.readTree(
                    CliRun.as(url, adminKey, "cr", "image-list", "--va", "--output", "json").out());
            assertThat(statusOf(images, "demo-dev/hello-service", "1.0")).matches("\\d+ Issues");
            assertThat(statusOf(images, "demo-dev/hello-service", "1.1")).isEqualTo("No Issues");
            assertThat(statusOf(images, "demo-prod/hello-service", "1.1")).isEqualTo("No Issues");
            // the cosign signature is an artifact, not an image to scan
            assertThat(statusOf(images, "demo-dev/hello-service", "sha256-" + fixed.substring(7) + ".sig")).isEqualTo("Unsupported");
            CliRun report = CliRun.as(url, adminKey, "cr", "va", "demo-dev/hello-service:1.0", "--output", "json");
            assertThat(report.out()).contains("CVE-2021-44228").contains("2.15.0");

            // signed with the demo's key; the signature was copied along to prod; 1.0 is not signed
            String pub = data.resolve("keys/release.pub").toString();
            assertThat(CliRun.as(url, adminKey, "verify", "--image", "demo-dev/hello-service@" + fixed, "--key", pub).code()).isZero();
            String sigTag = "sha256-" + fixed.substring(7) + ".sig";
            assertThat(admin.manifest("demo-prod/hello-service", sigTag).bytes())
                    .isEqualTo(admin.manifest("demo-dev/hello-service", sigTag).bytes());
            assertThat(CliRun.as(url, adminKey, "verify", "--image", "demo-dev/hello-service@" + vulnerable, "--key", pub).code())
                    .isEqualTo(Slipway.POLICY_DENIED);

            // the CI service ID is the one that may push, to demo-dev only
            JsonNode policies = Credentials.JSON.readTree(CliRun.as(url, adminKey, "cr", "iam", "policy-list", "--output", "json").out());
            List<String> ciGrants = new ArrayList<>();
            for (JsonNode p : policies) {
                if (p.path("serviceId").asText().equals("ci")) {
                    ciGrants.add(p.path("role").asText() + " " + p.path("namespace").asText());
                }
            }
            assertThat(ciGrants).containsExactly("Writer demo-dev");
        }

        // the GitOps repository: the seed, the deploy to dev, the promotion to prod, each pinning the digest
        Path check = tmp.resolve("gitops-check");
        try (Git git = Git.cloneRepository().setURI(data.resolve("gitops.git").toUri().toString())
                .setDirectory(check.toFile()).call()) {
            List<String> log = new ArrayList<>();
            for (RevCommit c : git.log().call()) {
                log.add(c.getShortMessage());
            }
            assertThat(log).hasSize(3);
            assertThat(log.get(0)).startsWith("Promote " + demoHost + "/demo-prod/hello-service:1.1@" + fixed).endsWith("from dev to prod");
            assertThat(log.get(1)).isEqualTo("Deploy " + demoHost + "/demo-dev/hello-service:1.1@" + fixed + " to dev");
            assertThat(log.get(2)).isEqualTo("Seed from examples/gitops");
            String dev = Files.readString(check.resolve("envs/dev/values.yaml"));
            assertThat(dev).contains("repository: " + demoHost + "/demo-dev/hello-service")
                    .contains("tag: \"1.1@" + fixed + "\"")
                    .startsWith("# Development: what ArgoCD deploys"); // the comments survived the edit
            String prod = Files.readString(check.resolve("envs/prod/values.yaml"));
            assertThat(prod).contains("repository: " + demoHost + "/demo-prod/hello-service")
                    .contains("tag: \"1.1@" + fixed + "\"").contains("replicaCount: 2");
        }
    }

    @Test
    void aFailingStepSaysWhichAndWhyAndCleansUp() throws Exception {
        // a real fault: the example service does not compile
        Path examples = tmp.resolve("examples");
        Folders.copyTree(DemoCommand.locateExamples(null), examples);
        Path source = examples.resolve("hello-service/src/main/java/io/slipway/example/hello/HelloService.java");
        Files.writeString(source, Files.readString(source).replace("server.start();", "server.start()"));

        CliRun demo = CliRun.slipway("demo", "--examples", examples.toString());
        assertThat(demo.code()).isNotZero();
        assertThat(demo.out()).contains("[1/8] registry up at").doesNotContain("[2/8]");
        assertThat(demo.err()).contains("step 2/8 failed: build:").contains("does not compile").contains("HelloService.java")
                .contains("cleaned up: registry stopped, ").contains(" removed");
        Matcher root = Pattern.compile("files in (\\S+)\\)").matcher(demo.out());
        assertThat(root.find()).isTrue();
        assertThat(Path.of(root.group(1))).doesNotExist();
    }

    @Test
    void aFolderInUseIsRefusedBeforeAnythingStarts() throws Exception {
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("something"), "x");
        CliRun demo = CliRun.slipway("demo", "--data", used.toString());
        assertThat(demo.code()).isEqualTo(Slipway.BAD_INPUT);
        assertThat(demo.err()).contains("is not empty");
        assertThat(CliRun.slipway("demo", "--examples", tmp.toString()).err()).contains("not Slipway's examples folder");
    }

    /** The lines of step {@code n}: its line and the indented details under it. */
    static String stepBlock(String out, int n) {
        int start = out.indexOf("[" + n + "/8] ");
        int end = out.indexOf("[" + (n + 1) + "/8] ");
        return out.substring(start, end < 0 ? out.length() : end);
    }

    static String statusOf(JsonNode images, String repository, String tag) {
        for (JsonNode i : images) {
            if (i.path("repository").asText().equals(repository) && i.path("tag").asText().equals(tag)) {
                return i.path("securityStatus").asText();
            }
        }
        throw new AssertionError(repository + ":" + tag + " not listed in " + images);
    }
}
