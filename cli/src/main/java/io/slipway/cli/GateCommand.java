package io.slipway.cli;

import io.slipway.pipeline.Durations;
import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.gate.GateResult;
import io.slipway.pipeline.gate.GateStep;
import io.slipway.pipeline.gate.VulnerabilityReports;
import io.slipway.oci.vulnerability.Severity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway gate}: the Vulnerability Advisor as a quality gate of the pipeline. */
@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"Wait for the Vulnerability Advisor verdict on an image and fail on findings at or above a severity.",
                "Exit codes: 0 passed, 6 gate failed, 7 timed out, 2 bad input, 3 refused, 4 registry unreachable."})
final class GateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    @Option(names = "--image", required = true, paramLabel = "REPO@DIGEST", description = "The image, pinned by digest.")
    String image;

    @Option(names = "--severity", defaultValue = "high", description = "Threshold: critical, high, medium, low, negligible or "
            + "unknown; findings of unknown severity count at every threshold (default: ${DEFAULT-VALUE}).")
    String severity;

    @Option(names = "--timeout", defaultValue = "10m", description = "How long to wait for the scan (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--interval", defaultValue = "2s", description = "Time between two polls (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--include-configuration", description = "Also fail on configuration issues at or above the threshold.")
    boolean includeConfiguration;

    @Option(names = "--allow-unassessed", description = "Pass an image whose operating system packages could not be assessed "
            + "(status Unsupported OS) on its other findings, instead of failing it.")
    boolean allowUnassessed;

    @Option(names = "--output", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    String output;

    @Override
    public Integer call() throws Exception {
        Severity threshold = Severity.threshold(severity);
        GateStep.Input input = new GateStep.Input(PinnedImage.parse(image), threshold,
                Durations.parse(timeout), Durations.parse(interval), includeConfiguration, allowUnassessed);
        if (!output.equals("table") && !output.equals("json")) {
            throw new IllegalArgumentException("--output must be table or json");
        }
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        // with json, stdout holds the document alone; progress goes to stderr
        GateResult result = new GateStep(new VulnerabilityReports(registry.access()),
                output.equals("json") ? err::println : out::println).run(input);
        if (output.equals("json")) {
            var doc = Credentials.JSON.createObjectNode();
            doc.put("image", input.image().toString());
            doc.put("passed", result.passed());
            doc.put("status", result.status());
            doc.put("threshold", threshold.lowerCase());
            if (result.reason() != null) {
                doc.put("reason", result.reason());
            }
            doc.set("blocking", Credentials.JSON.valueToTree(result.blocking()));
            doc.set("findings", Credentials.JSON.valueToTree(result.all()));
            out.println(Credentials.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
            return result.passed() ? 0 : Slipway.GATE_FAILED;
        }
        out.print(result.table());
        if (result.passed()) {
            out.println(result.success(input.image(), threshold));
            return 0;
        }
        err.println("slipway: " + result.failure(input.image(), threshold));
        return Slipway.GATE_FAILED;
    }
}
