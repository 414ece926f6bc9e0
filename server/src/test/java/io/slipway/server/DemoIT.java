package io.slipway.server;

import io.slipway.cli.CliRun;
import io.slipway.cli.Folders;
import io.slipway.cli.Slipway;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, run as the README says ({@code ./slipway demo} at the root of the
 * checkout, after the build made the jar), with {@code --data} so that what it did can be checked
 * afterwards: not only its exit code but every step's outcome — the gate's refusal of Log4Shell
 * with its fix, both images and their security status, the signature (kept by the copy to prod and
 * accepted there by the policy's remapIdentity rule, not signed again),
 * the two commits in the GitOps repository with the digest in dev and prod, the policy's denial of
 * the vulnerable image.
 */
class DemoIT {
    @TempDir
    Path tmp;

    @Test
    void theDemoRunsEveryStepOfThePipeline() throws Exception {
        Path checkout = Path.of("..").toAbsolutePath().normalize();
        // the README's quick start is what runs here (with --data, to look at what it did)
        assertThat(quickStart(checkout)).containsExactly("./slipway demo", "mvn -B verify");
        Path data = tmp.resolve("demo");
        Process p = new ProcessBuilder("./slipway", "demo", "--data", data.toString())
                .directory(checkout.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();

        // The registry's own log went to its file, not into the demo's lines.
        assertThat(output).doesNotContain(" INFO ").doesNotContain(" WARN ");
        assertThat(Files.readString(data.resolve("registry.log"))).contains("registry listening on");

        // Every step printed its line, in order, with its duration.
        List<String> steps = List.of("Registry", "Build", "Gate", "Fix", "Sign", "Deploy to dev", "Promote to prod", "Summary");
        int at = 0;
        for (int i = 0; i < steps.size(); i++) {
            Matcher m = Pattern.compile("\\[" + (i + 1) + "/8] " + Pattern.quote(steps.get(i)) + " +\\d+\\.\\d s ")
                    .matcher(output);
            assertThat(m.find(at)).as("step %s in:%n%s", steps.get(i), output).isTrue();
            at = m.end();
        }
        // The gate stopped 1.0.0 on Log4Shell and said what fixes it.
        assertThat(output).containsPattern("CVE-2021-44228 +CRITICAL +org.apache.logging.log4j:log4j-core +2.14.1 +2.15.0 +BLOCKS");
        // prod's policy refuses the vulnerable, unsigned image.
        assertThat(output).contains("DENY").contains("FAIL trust: not signed by any of [release]");
        assertThat(output).containsPattern("ALLOW \\S+/hello-prod/hello-service");

        String fixedDigest = match(output, "hello-service 1.0.1 \\(log4j-core 2.17.1\\) pushed, gate passed: \\S+@(sha256:[0-9a-f]{64})");
        String vulnerableDigest = match(output, "hello-service 1.0.0 \\(log4j-core 2.14.1\\) built by Maven, image by Jib, pushed: \\S+@(sha256:[0-9a-f]{64})");
        assertThat(fixedDigest).isNotEqualTo(vulnerableDigest);

        // The GitOps repository: the example's first commit, then the deploy to dev and the promotion to prod.
        try (Git git = Git.open(data.resolve("gitops.git").toFile())) {
            List<RevCommit> log = new ArrayList<>();
            git.log().call().forEach(log::add);
            assertThat(log).hasSize(3);
            assertThat(log.get(1).getFullMessage()).startsWith("Deploy ").contains("hello-dev/hello-service").contains(fixedDigest);
            assertThat(log.get(0).getFullMessage()).startsWith("Promote ").contains("hello-prod/hello-service").contains(fixedDigest);
            Path checkout2 = tmp.resolve("gitops");
            Git.cloneRepository().setURI(data.resolve("gitops.git").toUri().toString()).setDirectory(checkout2.toFile())
                    .call().close();
            assertThat(Files.readString(checkout2.resolve(DemoCommand.DEV_VALUES)))
                    .contains("hello-dev/hello-service").contains("1.0.1@" + fixedDigest)
                    .contains("# dev: every build that passes the gate lands here."); // comments kept
            assertThat(Files.readString(checkout2.resolve(DemoCommand.PROD_VALUES)))
                    .contains("hello-prod/hello-service").contains("1.0.1@" + fixedDigest).contains("replicaCount: 2");
        }

        // The registry's state, with the registry brought back the way the demo says.
        String adminKey = match(output, "administrator's API key: (\\S+)");
        // On the port it had: signatures name the registry host and port of the images they sign.
        String port = match(output, "up at http://127\\.0\\.0\\.1:(\\d+)");
        RegistryConfig config = RegistryConfig.defaults().withListen("127.0.0.1:" + port).withDataDir(data.resolve("registry"));
        try (RegistryServer server = RegistryServer.start(config)) {
            String url = server.uri().toString();
            CliRun list = CliRun.as(url, adminKey, "cr", "image-list", "--va", "--output", "json");
            assertThat(list.code()).as(list.err()).isZero();
            JsonNode rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(list.out());
            assertThat(status(rows, "hello-dev/hello-service", "1.0.0", vulnerableDigest)).endsWith("Issues").isNotEqualTo("No Issues");
            assertThat(status(rows, "hello-dev/hello-service", "1.0.1", fixedDigest)).isEqualTo("No Issues");
            assertThat(status(rows, "hello-prod/hello-service", "1.0.1", fixedDigest)).isEqualTo("No Issues");
            String host = "127.0.0.1:" + server.port();
            CliRun verify = CliRun.as(url, adminKey, "verify", "--image", host + "/hello-dev/hello-service@" + fixedDigest,
                    "--key", data.resolve("keys/release.pub").toString());
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            // The copy in prod was not signed again: it carries the one signature made in dev, which
            // names the dev repository. Plain verification keeps the identity exact and refuses it;
            // prod's policy accepts it by its remapIdentity rule (the ALLOW above).
            CliRun copy = CliRun.as(url, adminKey, "verify", "--image", host + "/hello-prod/hello-service@" + fixedDigest,
                    "--key", data.resolve("keys/release.pub").toString());
            assertThat(copy.code()).as(copy.out() + copy.err()).isEqualTo(Slipway.POLICY_DENIED);
            assertThat(copy.err()).contains("hello-dev/hello-service").contains("does not match");
            CliRun check = CliRun.as(url, adminKey, "policy", "check", host + "/hello-prod/hello-service@" + fixedDigest,
                    "--namespace", "prod");
            assertThat(check.code()).as(check.out() + check.err()).isZero();
            CliRun signature = CliRun.as(url, adminKey, "cr", "image-inspect",
                    "hello-prod/hello-service:sha256-" + fixedDigest.substring(7) + ".sig");
            assertThat(signature.code()).as(signature.err()).isZero();
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(signature.out()).path("manifest").path("layers")).hasSize(1);
        }
    }

    /** The commands of the README's "Two commands" block, comments dropped. */
    static List<String> quickStart(Path checkout) throws java.io.IOException {
        String readme = Files.readString(checkout.resolve("README.md"));
        int section = readme.indexOf("## Two commands");
        assertThat(section).as("README.md has a \"Two commands\" section").isNotNegative();
        int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
        return readme.substring(start, readme.indexOf("```", start)).lines()
                .map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
    }

    private static String status(JsonNode rows, String repository, String tag, String digest) {
        for (JsonNode row : rows) {
            if (row.path("repository").asText().equals(repository) && row.path("tag").asText().equals(tag)) {
                assertThat(row.path("digest").asText()).isEqualTo(digest);
                return row.path("securityStatus").asText();
            }
        }
        throw new AssertionError("no " + repository + ":" + tag + " in " + rows);
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in:%n%s", regex, text).isTrue();
        return m.group(1);
    }
}
