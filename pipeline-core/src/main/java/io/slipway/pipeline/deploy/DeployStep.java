package io.slipway.pipeline.deploy;

import io.slipway.gitops.GitOpsUpdate;
import io.slipway.gitops.UpdateResult;
import io.slipway.helm.render.RenderCheckProcess;
import io.slipway.helm.values.ImageRequest;
import io.slipway.helm.values.ImageUpdate;
import io.slipway.pipeline.ProgressListener;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The deploy step: writes one or more images into one environment's Helm values in the GitOps
 * repository (at the keys named, marked, or found by repository name; see
 * {@link io.slipway.helm.values.ImageFinder}), proves with Helm that the chart renders exactly
 * those images, commits and pushes
 * (helm-values-updater's {@link GitOpsUpdate} does the work; this step gives it the pipeline's
 * inputs and reports to the pipeline's log).
 */
public final class DeployStep {
    /**
     * The deploy's inputs.
     *
     * @param repository  where to write
     * @param valuesPath  values file of the environment, relative to the repository root
     * @param images      each {@code [ALIAS=]registry/ns/repo[:tag]@sha256:…}
     * @param keys        the keys to write, each {@code [ALIAS:]PATH} or {@code [ALIAS:]ROLE=PATH}
     *                    (ROLE: image, registry, repository, tag, digest); empty to find them
     * @param chart       chart folder, or null for the one above the values file
     * @param message     commit message template ({@code {images}}, {@code {env}}), or null for the default
     * @param buildUrl    recorded as the commit's {@code Build-Url:} trailer, or null
     * @param pullRequest push to a {@code slipway/<env>/…} branch instead of the target branch
     * @param renderCheck render the chart before committing
     */
    public record Input(GitOpsTarget repository, String valuesPath, List<String> images, List<String> keys, String chart,
                        String message, String buildUrl, boolean pullRequest, boolean renderCheck) {
        public Input {
            images = images == null ? List.of() : images.stream().filter(i -> i != null && !i.isBlank()).toList();
            keys = keys == null ? List.of() : keys.stream().filter(k -> k != null && !k.isBlank()).toList();
            if (repository == null || valuesPath == null || valuesPath.isBlank() || images.isEmpty()) {
                throw new IllegalArgumentException("deploy needs a GitOps repository, a values file and an image");
            }
        }

        /** One image, its keys found. */
        public Input(GitOpsTarget repository, String valuesPath, String image, String chart, String message,
                     String buildUrl, boolean pullRequest, boolean renderCheck) {
            this(repository, valuesPath, image == null ? List.of() : List.of(image), List.of(), chart, message, buildUrl,
                    pullRequest, renderCheck);
        }

        /** The usual deploy: default message, no pull request, chart rendered. */
        public static Input of(GitOpsTarget repository, String valuesPath, String image) {
            return new Input(repository, valuesPath, image, null, null, null, false, true);
        }
    }

    private final ProgressListener progress;
    private RenderCheckProcess renderProcess;

    public DeployStep(ProgressListener progress) {
        this.progress = progress;
    }

    /** Render the chart in a child JVM (a long-lived caller such as a Jenkins agent keeps Helm out of its own). */
    public DeployStep renderIn(RenderCheckProcess process) {
        this.renderProcess = process;
        return this;
    }

    public UpdateResult run(Input in) {
        GitOpsUpdate update = GitOpsUpdate.in(in.repository().url())
                .credentials(in.repository().credentials())
                .values(in.valuesPath())
                .images(ImageRequest.parse(in.images(), in.keys()))
                .pullRequest(in.pullRequest());
        if (in.repository().branch() != null) {
            update.branch(in.repository().branch());
        }
        if (in.chart() != null) {
            update.chart(in.chart());
        }
        if (in.message() != null) {
            update.message(in.message());
        }
        if (in.buildUrl() != null) {
            update.buildUrl(in.buildUrl());
        }
        if (!in.renderCheck()) {
            update.skipRenderCheck();
        } else if (renderProcess != null) {
            update.renderIn(renderProcess);
        }
        UpdateResult result = update.call();
        String what = result.images().stream().map(DeployStep::describe).collect(Collectors.joining(", "));
        if (result.pushed()) {
            progress.line("Pushed " + result.commit() + " to " + result.branch() + " (" + result.attempts()
                    + (result.attempts() == 1 ? " attempt" : " attempts") + "): " + in.valuesPath() + " now deploys "
                    + what + ".");
            result.changes().forEach(c -> progress.line("  " + c));
        } else {
            progress.line("Unchanged: " + in.valuesPath() + " already deploys " + what + "; no commit.");
        }
        return result;
    }

    /** {@code REF (at image.registry, image.repository, …)}: where each image went, so a wrong key shows. */
    static String describe(ImageUpdate image) {
        return image.reference() + " (at " + image.shape().paths().stream().map(Object::toString)
                .collect(Collectors.joining(", ")) + ")";
    }
}
