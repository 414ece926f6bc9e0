package io.slipway.cli;

import io.slipway.pipeline.ManagementClient;
import io.slipway.pipeline.deploy.PromoteStep;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slipway promote}: the image one environment deploys goes to the next, only if the image
 * policy of the target allows it; with {@code --to-namespace} it is first copied there
 * server-side (no bytes re-sent), and the target's values then name the copy
 * (pipeline-core's {@link PromoteStep}).
 */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Promote the image deployed in one environment to another, gated by the image policy.")
final class PromoteCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RegistryOptions registry;

    @Mixin
    GitOpsOptions repository;

    @Option(names = "--from", required = true, paramLabel = "PATH", description = "Values file of the source environment.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "PATH", description = "Values file of the target environment.")
    String to;

    @Option(names = "--chart", paramLabel = "DIR")
    String chart;

    @Option(names = "--to-namespace", paramLabel = "NS", description = "Copy the image into this registry namespace first.")
    String toNamespace;

    @Option(names = "--policy-namespace", paramLabel = "K8S_NS",
            description = "Kubernetes namespace whose image policies apply (default: the target values' folder name).")
    String policyNamespace;

    @Option(names = {"--key", "--image-path"}, paramLabel = "KEY",
            description = {"The image's keys in both values files, as deploy's --key (PATH or ROLE=PATH, repeatable).",
                    "Default: the source's marked or only image key; the target's key found by repository name."})
    java.util.List<String> keys = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        PromoteStep.Input input = new PromoteStep.Input(repository.target(), from, to, chart, toNamespace, policyNamespace, keys);
        // The step's own lines are the policy verdict and the copy; the outcome is printed below.
        PromoteStep.Result result = new PromoteStep(new ManagementClient(registry.access()), line -> { }).run(input);
        if (!result.verdict().allowed()) {
            out.println("DENY " + result.verdict().image() + " for " + input.effectivePolicyNamespace() + ":");
            result.verdict().unmet().forEach(reason -> out.println("  " + reason));
            return Slipway.POLICY_DENIED;
        }
        var update = result.update();
        out.println((update.pushed() ? "Promoted " : "Already promoted: ") + result.target() + " from " + from + " to " + to
                + (update.pushed() ? " (" + update.commit() + ")" : "") + ".");
        return 0;
    }
}
