package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start, run as a newcomer runs it: the first command of its "Two commands"
 * block, read from README.md and run with bash from the repository root, through the
 * {@code ./slipway} launcher and the packaged jar (hence an integration test, after package).
 * Every step's outcome is checked in what it printed; {@link DemoCommandTest} checks the same run's
 * registry and GitOps repository directly.
 */
class DemoQuickStartIT {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    /** The commands of the README's quick start, comments dropped. */
    static List<String> quickStart() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Two commands");
        assertThat(section).as("README.md has a \"Two commands\" section").isNotNegative();
        int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
        String block = readme.substring(start, readme.indexOf("```", start));
        return block.lines().map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void theReadmesFirstCommandRunsTheWholePipeline() throws Exception {
        List<String> commands = quickStart();
        assertThat(commands).containsExactly("./slipway demo", "mvn -B verify");

        Process p = new ProcessBuilder("bash", "-c", commands.get(0)).directory(ROOT.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // a guard against a hang, not a timing assertion
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        Matcher steps = DemoCommandTest.STEP_LINE.matcher(out);
        StringBuilder numbers = new StringBuilder();
        while (steps.find()) {
            numbers.append(steps.group(1));
        }
        assertThat(numbers.toString()).as(out).isEqualTo("12345678");

        // 1: the registry and its IAM; 2: the vulnerable build
        assertThat(DemoCommandTest.stepBlock(out, 1)).contains("namespaces demo-dev and demo-prod")
                .contains("service ID \"ci\"").contains("4 advisory records");
        assertThat(DemoCommandTest.stepBlock(out, 2)).contains("log4j-core 2.14.1").contains("/demo-dev/hello-service:1.0@sha256:");
        // 3: the gate fails on Log4Shell and shows the fix
        assertThat(DemoCommandTest.stepBlock(out, 3)).contains("gate failed").contains("CVE-2021-44228 (CRITICAL)")
                .containsPattern("CVE-2021-44228 +CRITICAL +org.apache.logging.log4j:log4j-core +2.14.1 +2.15.0 +BLOCKS")
                .contains("Advice: upgrade log4j-core to 2.17.1");
        // 4: the fix passes
        Matcher fixed = Pattern.compile("gate passed: demo-dev/hello-service@(sha256:[0-9a-f]{64}) \\(No Issues")
                .matcher(DemoCommandTest.stepBlock(out, 4));
        assertThat(fixed.find()).isTrue();
        String digest = fixed.group(1);
        // 5: signed and verified; both images with their status
        String sign = DemoCommandTest.stepBlock(out, 5);
        assertThat(sign).contains("verified demo-dev/hello-service@" + digest + ": signed by release.pub (cosign")
                .containsPattern("demo-dev/hello-service +1\\.0 .* \\d+ Issues")
                .containsPattern("demo-dev/hello-service +1\\.1 +" + digest.substring(7, 19) + " .* No Issues");
        // 6: dev deploys the digest, as Helm renders it
        String host = out.replaceFirst("(?s).*registry up at http://(127\\.0\\.0\\.1:\\d+).*", "$1");
        assertThat(DemoCommandTest.stepBlock(out, 6)).contains(
                "image: \"" + host + "/demo-dev/hello-service:1.1@" + digest + "\"");
        // 7: the policy refuses 1.0, allows 1.1; the copy is in demo-prod and prod renders it
        assertThat(DemoCommandTest.stepBlock(out, 7)).contains("DENY " + host + "/demo-dev/hello-service@")
                .contains("FAIL trust: not signed").contains("Promoted " + host + "/demo-prod/hello-service:1.1@" + digest)
                .contains("image: \"" + host + "/demo-prod/hello-service:1.1@" + digest + "\"");
        // 8: the prod copy listed; exactly two commits after the seed
        String summary = DemoCommandTest.stepBlock(out, 8);
        assertThat(summary).containsPattern("demo-prod/hello-service +1\\.1 +" + digest.substring(7, 19) + " .* No Issues");
        List<String> log = summary.lines().dropWhile(l -> !l.contains("$ git log")).skip(1).map(String::strip)
                .filter(l -> l.matches("[0-9a-f]{7} .*")).toList();
        assertThat(log).hasSize(3);
        assertThat(log.get(0)).contains("Promote " + host + "/demo-prod/hello-service:1.1@" + digest + " from dev to prod");
        assertThat(log.get(1)).contains("Deploy " + host + "/demo-dev/hello-service:1.1@" + digest + " to dev");
        assertThat(log.get(2)).endsWith("Seed from examples/gitops");

        // everything it made is gone
        Matcher root = Pattern.compile("files in (\\S+)\\)").matcher(out);
        assertThat(root.find()).isTrue();
        assertThat(Path.of(root.group(1))).doesNotExist();
        System.out.println(out.lines().filter(l -> l.startsWith("[") || l.startsWith("Demo done")).reduce("", (a, b) -> a + b + "\n"));
    }
}
