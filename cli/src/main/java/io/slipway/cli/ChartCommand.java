package io.slipway.cli;

import com.marcnuri.helm.Helm;
import io.slipway.helm.render.HelmCalls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code slipway chart push}: packages a chart and pushes it to the registry as an OCI artifact. */
@Command(name = "chart", mixinStandardHelpOptions = true, description = "Helm charts as registry artifacts.",
        subcommands = {ChartCommand.Push.class})
final class ChartCommand {

    @Command(name = "push", mixinStandardHelpOptions = true, description = "Package a chart and push it.")
    static final class Push implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "CHART_DIR")
        Path chart;

        @Option(names = "--to", required = true, paramLabel = "oci://HOST/NS", description = "e.g. oci://127.0.0.1:5000/team-dev")
        String to;

        @Option(names = "--api-key", description = "API key (default: SLIPWAY_API_KEY).")
        String apiKey;

        @Option(names = "--plain-http", description = "The registry speaks plain HTTP (a loopback registry).")
        boolean plainHttp;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
                throw new IllegalArgumentException(chart + " is not a chart (no Chart.yaml)");
            }
            if (!to.startsWith("oci://")) {
                throw new IllegalArgumentException("--to must be oci://HOST/NAMESPACE");
            }
            String host = to.substring("oci://".length()).split("/", 2)[0];
            String key = apiKey != null ? apiKey : System.getenv("SLIPWAY_API_KEY");
            Path work = Files.createTempDirectory("slipway-chart");
            try {
                // every helm-java call through HelmCalls: its context class loader, no native-library download
                HelmCalls.call(() -> new Helm(chart).packageIt().withDestination(work).call());
                Path tgz;
                try (Stream<Path> files = Files.list(work)) {
                    tgz = files.filter(f -> f.toString().endsWith(".tgz")).findFirst().orElseThrow();
                }
                if (key != null) {
                    var login = Helm.registry().login().withHost(host).withUsername("iamapikey").withPassword(key);
                    HelmCalls.call(() -> (plainHttp ? login.plainHttp() : login).call());
                }
                var push = Helm.push().withChart(tgz).withRemote(URI.create(to));
                String out = HelmCalls.call(() -> (plainHttp ? push.plainHttp() : push).call());
                spec.commandLine().getOut().println(out.strip());
                return 0;
            } finally {
                Folders.deleteTree(work);
            }
        }
    }
}
