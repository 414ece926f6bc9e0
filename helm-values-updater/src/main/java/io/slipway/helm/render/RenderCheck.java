package io.slipway.helm.render;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.slipway.oci.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Proves that a chart deploys what was written: {@code helm lint} passes, the chart renders with
 * the environment's values files, and every container image of each updated repository in the
 * rendered manifests is the new reference. A template that ignores the values fails here, with
 * the rendered line that is wrong, before anything is committed.
 *
 * <p>It renders as {@code helm template} does, offline: no cluster is asked, {@code lookup} returns
 * an empty map (see {@link OfflineChart}), and sub-charts and library charts come from the chart's
 * {@code charts/} folder (packed or not), never from a repository.
 */
public final class RenderCheck {
    private final Path chart;
    private final List<Path> valuesFiles = new ArrayList<>();
    private final List<Reference> expected = new ArrayList<>();
    private String releaseName = "slipway-check";
    private String namespace = "default";
    private boolean lint = true;

    private RenderCheck(Path chart) {
        this.chart = Objects.requireNonNull(chart);
    }

    public static RenderCheck chart(Path chartDir) {
        return new RenderCheck(chartDir);
    }

    /**
     * The chart an environment's values file belongs to: the nearest folder at or above the file's
     * folder (and not above {@code root}) that holds a {@code Chart.yaml}.
     */
    public static Optional<Path> findChart(Path root, Path valuesFile) {
        Path top = root.toAbsolutePath().normalize();
        for (Path dir = valuesFile.toAbsolutePath().normalize().getParent(); dir != null && dir.startsWith(top); dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("Chart.yaml"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** Values files in Helm's order (later ones win); the chart's own values.yaml always comes first. */
    public RenderCheck valuesFiles(List<Path> files) {
        valuesFiles.addAll(files);
        return this;
    }

    public RenderCheck expect(Reference reference) {
        expected.add(reference);
        return this;
    }

    public RenderCheck expect(List<Reference> references) {
        expected.addAll(references);
        return this;
    }

    public RenderCheck releaseName(String name) {
        this.releaseName = name;
        return this;
    }

    public RenderCheck namespace(String ns) {
        this.namespace = ns;
        return this;
    }

    public RenderCheck skipLint() {
        this.lint = false;
        return this;
    }

    /** Runs lint and render; returns every image found, or throws {@link RenderCheckException}. */
    public List<RenderedImage> run() {
        if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
            throw new RenderCheckException(chart + " is not a Helm chart (no Chart.yaml)");
        }
        String manifests;
        try (OfflineChart offline = OfflineChart.of(chart)) {
            manifests = HelmCalls.call(() -> {
                Helm helm = new Helm(offline.chart());
                if (lint) {
                    LintResult result = helm.lint().call();
                    if (result.isFailed()) {
                        throw new RenderCheckException("helm lint " + chart + " failed:\n  "
                                + String.join("\n  ", result.getMessages()).replace(offline.chart().toString(), chart.toString()));
                    }
                }
                return render(helm, offline.chart());
            });
        } catch (java.io.IOException e) {
            throw new RenderCheckException("cannot prepare " + chart + " for rendering: " + e.getMessage(), e);
        }
        List<RenderedImage> images = ManifestImages.find(manifests);
        for (Reference want : expected) {
            check(want, images);
        }
        return images;
    }

    /** This check as {@link RenderCheckMain}'s arguments, for a run in a child process. */
    List<String> arguments() {
        List<String> args = new ArrayList<>(List.of("--chart", chart.toAbsolutePath().toString(),
                "--release", releaseName, "--namespace", namespace));
        for (Path values : valuesFiles) {
            args.addAll(List.of("--values", values.toAbsolutePath().toString()));
        }
        for (Reference want : expected) {
            args.addAll(List.of("--expect", want.toString()));
        }
        if (!lint) {
            args.add("--no-lint");
        }
        return args;
    }

    /** The chart folder this check renders. */
    Path chart() {
        return chart;
    }

    private String render(Helm helm, Path copy) {
        TemplateCommand template = helm.template().withName(releaseName).withNamespace(namespace);
        for (Path values : valuesFiles) {
            template = template.withValuesFile(values);
        }
        try {
            return template.call();
        } catch (RuntimeException e) {
            String why = String.valueOf(e.getMessage()).replace(copy.toString(), chart.toString());
            if (why.contains("missing in charts/")) {
                why += "\n(the render check reads sub-charts only from charts/: vendor them with helm dependency build and commit them)";
            }
            throw new RenderCheckException("helm template " + chart + " failed: " + why, e);
        }
    }

    private void check(Reference want, List<RenderedImage> images) {
        int ofRepository = 0;
        for (RenderedImage image : images) {
            Reference got;
            try {
                got = Reference.parse(image.image());
            } catch (IllegalArgumentException e) {
                // Not a reference at all: if it mentions our repository, it is ours and broken.
                if (image.image().contains(want.repository())) {
                    throw wrong(want, image, "which is not a valid image reference");
                }
                continue;
            }
            if (!got.sameRepository(want)) {
                continue;
            }
            ofRepository++;
            if (!ImageMatch.matches(want, got)) {
                throw wrong(want, image, "");
            }
        }
        if (ofRepository == 0) {
            throw new RenderCheckException("the chart " + chart + " renders no container of " + want.name()
                    + "; images rendered: " + (images.isEmpty() ? "none" : images.stream().map(RenderedImage::image).toList()));
        }
    }

    private RenderCheckException wrong(Reference want, RenderedImage image, String why) {
        return new RenderCheckException("the chart " + chart + " renders " + image.image()
                + (why.isEmpty() ? "" : " (" + why + ")") + " where " + want + " was written: " + image);
    }
}
