package io.slipway.cli;

import io.slipway.pipeline.deploy.DeployStep;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slipway deploy}: writes an image into one environment's Helm values in a GitOps
 * repository, proves with Helm that the chart renders exactly that image, commits and pushes.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Write an image into the Helm values of a GitOps repository and push the commit.")
final class DeployCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    GitOpsOptions repository;

    @Option(names = "--values", required = true, paramLabel = "PATH", description = "Values file in the repository.")
    String values;

    @Option(names = "--image", required = true, paramLabel = "[ALIAS=]REF",
            description = "registry/ns/repo[:tag]@sha256:…; repeat for several images (ALIAS names one in --key and markers).")
    List<String> images;

    @Option(names = "--key", paramLabel = "[ALIAS:]KEY",
            description = {"Where the image goes, one option per key: PATH of its block (server.image) or whole-string key,",
                    "or ROLE=PATH with ROLE image|registry|repository|tag|digest. Default: marker comments",
                    "# {\"$slipway\": \"ALIAS[:ROLE]\"}, else the one image key whose repository has the image's name."})
    List<String> keys = new ArrayList<>();

    @Option(names = "--chart", paramLabel = "DIR", description = "Chart directory (default: the one above the values).")
    String chart;

    @Option(names = "--message", paramLabel = "M", description = "Commit message template ({images}, {env}).")
    String message;

    @Option(names = "--build-url", paramLabel = "URL", description = "Recorded as the Build-Url: trailer.")
    String buildUrl;

    @Option(names = "--pull-request", description = "Push to a slipway/<env>/<repo>-<digest> branch instead.")
    boolean pullRequest;

    @Option(names = "--skip-render-check", description = "Do not render the chart before committing.")
    boolean skipRenderCheck;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        new DeployStep(out::println).run(new DeployStep.Input(repository.target(), values, images, keys, chart, message, buildUrl,
                pullRequest, !skipRenderCheck));
        return 0;
    }
}
