package io.slipway.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.gitops.UpdateResult;
import io.slipway.helm.values.ImageFinder;
import io.slipway.helm.values.ImageKeys;
import io.slipway.helm.values.ImageShape;
import io.slipway.helm.values.ImageValues;
import io.slipway.helm.values.ValuesFile;
import io.slipway.oci.Reference;
import io.slipway.pipeline.ManagementClient;
import io.slipway.pipeline.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * The promote step: the image one environment deploys goes to the next, only if the registry's
 * image policy for the target allows it. Steps: read the source environment's values from a fresh
 * shallow clone (what is deployed is what the repository says, not what a pipeline remembers);
 * ask the registry's policy check; optionally copy the image into the target namespace
 * server-side (no bytes re-sent); write the target values with {@link DeployStep}.
 */
public final class PromoteStep {
    /**
     * The promotion's inputs.
     *
     * @param repository      the GitOps repository holding both environments
     * @param fromValues      values file of the source environment
     * @param toValues        values file of the target environment
     * @param chart           chart folder, or null for the one above the target values
     * @param toNamespace     registry namespace to copy the image into first, or null to deploy it as is
     * @param policyNamespace Kubernetes namespace whose image policies apply, or null for the target
     *                        values' folder name ({@code envs/prod/values.yaml} → {@code prod})
     * @param keys            the image's keys in both files, as {@link DeployStep.Input#keys()} (no alias);
     *                          empty: the source's marked or only image key, and the target's key
     *                          found by repository name
     */
    public record Input(GitOpsTarget repository, String fromValues, String toValues, String chart,
                        String toNamespace, String policyNamespace, List<String> keys) {
        public Input {
            if (repository == null || fromValues == null || fromValues.isBlank() || toValues == null || toValues.isBlank()) {
                throw new IllegalArgumentException("promote needs a GitOps repository and the source and target values files");
            }
            keys = keys == null ? List.of() : keys.stream().filter(k -> k != null && !k.isBlank()).toList();
        }

        /** With the image block at {@code imagePath} in both files (null: found). */
        public Input(GitOpsTarget repository, String fromValues, String toValues, String chart,
                     String toNamespace, String policyNamespace, String imagePath) {
            this(repository, fromValues, toValues, chart, toNamespace, policyNamespace,
                    imagePath == null || imagePath.isBlank() ? List.of() : List.of(imagePath));
        }

        public static Input of(GitOpsTarget repository, String fromValues, String toValues) {
            return new Input(repository, fromValues, toValues, null, null, null, List.of());
        }

        /** The Kubernetes namespace whose policies decide. */
        public String effectivePolicyNamespace() {
            return policyNamespace != null ? policyNamespace : environmentOf(toValues);
        }
    }

    /**
     * What the registry's policy check said.
     *
     * @param image   the image judged, as the registry names it
     * @param allowed whether every requirement of the matching policy holds
     * @param unmet   the requirements that do not hold, as {@code requirement: message}
     */
    public record Verdict(String image, boolean allowed, List<String> unmet) {
        public Verdict {
            unmet = List.copyOf(unmet);
        }
    }

    /**
     * What the promotion did.
     *
     * @param source  the image the source environment deploys
     * @param target  the image written to the target (the copy when a namespace was given)
     * @param verdict the policy check
     * @param update  the GitOps write, or null when the policy denied the promotion
     */
    public record Result(Reference source, Reference target, Verdict verdict, UpdateResult update) {
        public boolean promoted() {
            return update != null;
        }
    }

    private final ManagementClient registry;
    private final ProgressListener progress;

    public PromoteStep(ManagementClient registry, ProgressListener progress) {
        this.registry = registry;
        this.progress = progress;
    }

    public Result run(Input in) throws IOException {
        Deployed source = readDeployed(in);
        Reference deployed = source.reference();
        if (deployed.digest() == null) {
            throw new IllegalArgumentException(in.fromValues() + " deploys " + deployed + ", which is not pinned by digest");
        }
        String namespace = in.effectivePolicyNamespace();
        Verdict verdict = check(deployed, namespace);
        if (!verdict.allowed()) {
            progress.line("Policy for " + namespace + " denies " + verdict.image() + ": " + String.join("; ", verdict.unmet()));
            return new Result(deployed, deployed, verdict, null);
        }
        progress.line("Policy for " + namespace + " allows " + verdict.image() + ".");
        Reference target = in.toNamespace() == null ? deployed : copy(deployed, in.toNamespace());
        // Both environments are values of one chart: the target's image goes where the source's is.
        List<String> keys = in.keys().isEmpty() ? keysOf(source.shape()) : in.keys();
        DeployStep.Input write = new DeployStep.Input(in.repository(), in.toValues(), List.of(target.toString()), keys,
                in.chart(), "Promote {images} from " + environmentOf(in.fromValues()) + " to {env}", null, false, true);
        UpdateResult update = new DeployStep(progress).run(write);
        return new Result(deployed, target, verdict, update);
    }

    private Verdict check(Reference image, String namespace) throws IOException {
        JsonNode decision = registry.get("/policy/check?image=" + ManagementClient.q(image.toString())
                + "&namespace=" + ManagementClient.q(namespace));
        List<String> unmet = new ArrayList<>();
        for (JsonNode r : decision.path("reasons")) {
            if (!r.path("satisfied").asBoolean()) {
                unmet.add(r.path("requirement").asText() + ": " + r.path("message").asText());
            }
        }
        return new Verdict(decision.path("image").asText(image.toString()), decision.path("allowed").asBoolean(), unmet);
    }

    /** Tags the image into the target namespace on the registry (same repository name and tag). */
    private Reference copy(Reference deployed, String toNamespace) throws IOException {
        String repository = deployed.repository().substring(deployed.repository().indexOf('/') + 1);
        String tag = deployed.tag() != null ? deployed.tag() : "latest";
        registry.post("/images/tag", ManagementClient.object()
                .put("source", deployed.repository() + "@" + deployed.digest())
                .put("target", toNamespace + "/" + repository + ":" + tag));
        Reference copy = Reference.parse((deployed.registry() == null ? "" : deployed.registry() + "/") + toNamespace + "/"
                + repository + ":" + tag + "@" + deployed.digest());
        progress.line("Copied " + deployed.repository() + "@" + deployed.digest() + " to " + toNamespace + "/" + repository
                + ":" + tag + " (server-side).");
        return copy;
    }

    private record Deployed(Reference reference, ImageShape shape) {
    }

    /** The keys of a shape, as {@code --key ROLE=PATH} options. */
    static List<String> keysOf(ImageShape shape) {
        if (shape instanceof ImageShape.Single single) {
            return List.of("image=" + single.path());
        }
        ImageShape.Split split = (ImageShape.Split) shape;
        List<String> keys = new ArrayList<>();
        if (split.registry() != null) {
            keys.add("registry=" + split.registry());
        }
        keys.add("repository=" + split.repository());
        keys.add("tag=" + split.tag());
        if (split.digestField() != ImageShape.DigestField.NEVER) {
            keys.add("digest=" + split.digest());
        }
        return keys;
    }

    /** The reference the source environment deploys now and where, read from a fresh shallow clone. */
    private static Deployed readDeployed(Input in) throws IOException {
        Path dir = Files.createTempDirectory("slipway-promote");
        try {
            var clone = Git.cloneRepository().setURI(in.repository().url()).setDirectory(dir.toFile()).setDepth(1);
            if (in.repository().branch() != null) {
                clone.setBranch(in.repository().branch());
            }
            in.repository().credentials().applyTo(clone, in.repository().url());
            try (Git git = clone.call()) {
                // By real path: a values file committed as a link out of the repository is not read (WorkspacePaths).
                Path values = io.slipway.oci.files.WorkspacePaths.resolve(dir, in.fromValues(), "values file");
                if (!Files.isRegularFile(values)) {
                    throw new IllegalArgumentException("no values file " + in.fromValues() + " in " + in.repository().url());
                }
                ValuesFile file = ValuesFile.read(values);
                ImageKeys keys = in.keys().isEmpty() ? null : ImageKeys.parse(in.keys());
                ImageShape shape = new ImageFinder(file, null).deployed(null, keys);
                return new Deployed(ImageValues.read(file, shape), shape);
            } catch (GitAPIException e) {
                throw new IOException("cannot clone " + in.repository().url() + ": " + e.getMessage(), e);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The environment a values file belongs to: the name of its folder. */
    public static String environmentOf(String valuesPath) {
        Path parent = Path.of(valuesPath).getParent();
        return parent == null ? "default" : parent.getFileName().toString();
    }
}
