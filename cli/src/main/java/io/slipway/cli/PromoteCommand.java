package io.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.gitops.GitOpsUpdate;
import io.slipway.gitops.UpdateResult;
import io.slipway.helm.values.ImageShape;
import io.slipway.helm.values.ImageValues;
import io.slipway.helm.values.ValuesFile;
import io.slipway.oci.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slipway promote}: the image one environment deploys goes to the next, only if the image
 * policy of the target allows it; with {@code --to-namespace} it is first copied there
 * server-side (no bytes re-sent), and the target's values then name the copy.
 */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Promote the image deployed in one environment to another, gated by the image policy.")
final class PromoteCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RegistryOptions registry;

    @Option(names = "--gitops", required = true, paramLabel = "URL")
    String gitops;

    @Option(names = "--from", required = true, paramLabel = "PATH", description = "Values file of the source environment.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "PATH", description = "Values file of the target environment.")
    String to;

    @Option(names = "--chart", paramLabel = "DIR")
    String chart;

    @Option(names = "--branch", paramLabel = "B")
    String branch;

    @Option(names = "--to-namespace", paramLabel = "NS", description = "Copy the image into this registry namespace first.")
    String toNamespace;

    @Option(names = "--policy-namespace", paramLabel = "K8S_NS",
            description = "Kubernetes namespace whose image policies apply (default: the target values' folder name).")
    String policyNamespace;

    @Option(names = "--image-path", defaultValue = "image", description = "Values key of the image (default: ${DEFAULT-VALUE}).")
    String imagePath;

    @CommandLine.ArgGroup(exclusive = true)
    DeployCommand.GitAuth auth;

    @Override
    public Integer call() throws Exception {
        Reference deployed = readDeployed();
        if (deployed.digest() == null) {
            throw new IllegalArgumentException(from + " deploys " + deployed + ", which is not pinned by digest");
        }
        String namespace = policyNamespace != null ? policyNamespace : environmentOf(to);
        var out = spec.commandLine().getOut();
        ManagementClient client = registry.client();
        JsonNode decision = client.get("/policy/check?image=" + ManagementClient.q(deployed.toString())
                + "&namespace=" + ManagementClient.q(namespace));
        if (!decision.path("allowed").asBoolean()) {
            out.println("DENY " + decision.path("image").asText() + " for " + namespace + ":");
            for (JsonNode r : decision.path("reasons")) {
                if (!r.path("satisfied").asBoolean()) {
                    out.println("  " + r.path("requirement").asText() + ": " + r.path("message").asText());
                }
            }
            return Slipway.POLICY_DENIED;
        }
        Reference target = deployed;
        if (toNamespace != null) {
            String repository = deployed.repository().substring(deployed.repository().indexOf('/') + 1);
            String tag = deployed.tag() != null ? deployed.tag() : "latest";
            client.post("/images/tag", Credentials.JSON.createObjectNode()
                    .put("source", deployed.repository() + "@" + deployed.digest())
                    .put("target", toNamespace + "/" + repository + ":" + tag));
            target = Reference.parse((deployed.registry() == null ? "" : deployed.registry() + "/") + toNamespace + "/"
                    + repository + ":" + tag + "@" + deployed.digest());
        }
        DeployCommand deploy = new DeployCommand();
        deploy.auth = auth;
        GitOpsUpdate update = GitOpsUpdate.in(gitops).values(to).image(target.toString()).credentials(deploy.credentials())
                .message("Promote {images} from " + environmentOf(from) + " to {env}");
        if (chart != null) {
            update.chart(chart);
        }
        if (branch != null) {
            update.branch(branch);
        }
        UpdateResult result = update.call();
        out.println((result.pushed() ? "Promoted " : "Already promoted: ") + target + " from " + from + " to " + to
                + (result.pushed() ? " (" + result.commit() + ")" : "") + ".");
        return 0;
    }

    /** The reference the source environment deploys now, read from a fresh shallow clone. */
    private Reference readDeployed() throws Exception {
        Path dir = Files.createTempDirectory("slipway-promote");
        try {
            var clone = Git.cloneRepository().setURI(gitops).setDirectory(dir.toFile()).setDepth(1);
            if (branch != null) {
                clone.setBranch(branch);
            }
            DeployCommand deploy = new DeployCommand();
            deploy.auth = auth;
            var credentials = deploy.credentials();
            credentials.applyTo(clone);
            try (Git git = clone.call()) {
                Path values = dir.resolve(from).normalize();
                if (!values.startsWith(dir) || !Files.isRegularFile(values)) {
                    throw new IllegalArgumentException("no values file " + from + " in " + gitops);
                }
                return ImageValues.read(ValuesFile.read(values), ImageShape.split(imagePath));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String environmentOf(String valuesPath) {
        Path parent = Path.of(valuesPath).getParent();
        return parent == null ? "default" : parent.getFileName().toString();
    }
}
