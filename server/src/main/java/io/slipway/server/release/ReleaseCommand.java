package io.slipway.server.release;

import io.slipway.cli.Folders;
import io.slipway.cli.RegistryOptions;
import io.slipway.helm.render.HelmCalls;
import io.slipway.helm.values.ValuesFile;
import io.slipway.oci.Digest;
import io.slipway.pipeline.ProgressListener;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.build.BuildFile;
import io.slipway.pipeline.build.BuildStep;
import io.slipway.tekton.TaskImage;
import io.slipway.tekton.TektonBundle;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import com.marcnuri.helm.Helm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slipway release --output DIR [--push REGISTRY/NAMESPACE]}: everything a platform team
 * installs, from this checkout's build outputs. Writes {@code slipway-registry.tar} (the registry
 * image, {@link ServerImage}), {@code slipway-task.tar} (the Tekton step image, {@link TaskImage}),
 * {@code tekton/*.yaml} (the Tasks and Pipeline, pinned to the step image's digest), the packaged
 * chart {@code slipway-VERSION.tgz} (its image pinned to the registry image's digest) and
 * {@code slipway.hpi} (the Jenkins plugin). With {@code --push} both images, the chart (OCI) and
 * the Tekton bundle ({@link TektonBundle}) go to {@code REGISTRY/NAMESPACE}.
 *
 * <p>Build outputs are taken from the checkout the running jar was built in ({@code
 * server/target/slipway.jar} → its checkout; {@code --source} names another): the registry image
 * from {@code server/target/slipway.jar}, the step image from {@code cli/target/slipway-client.jar}
 * (both made by {@code ./slipway}'s build), the plugin from {@code jenkins-plugin/plugin/target/slipway.hpi}
 * (built only by its own module), the chart from {@code deploy/helm/slipway}, the Tekton files from
 * {@code tekton-task/src/main/tekton}. Anything missing stops the release before it writes a file,
 * each missing piece named with the command that builds it.
 */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Write the release (registry and step images, Tekton files, Helm chart, Jenkins plugin) to a folder; "
                + "with --push, push images, chart and Tekton bundle to a registry.")
public final class ReleaseCommand implements Callable<Integer> {
    public static final String REGISTRY_IMAGE = "slipway-registry";
    public static final String TASK_IMAGE = "slipway-task";
    public static final String BUNDLE = "slipway-tekton";

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the release is written.")
    Path output;

    @Option(names = "--push", paramLabel = "REGISTRY/NAMESPACE",
            description = "Push images, chart and Tekton bundle here (credentials: --registry/--api-key, SLIPWAY_API_KEY or the login).")
    String push;

    @Option(names = "--image-prefix", paramLabel = "REGISTRY/NAMESPACE", defaultValue = "slipway",
            description = "Without --push: the name the images carry in the tars, the Tasks and the chart (default: ${DEFAULT-VALUE}).")
    String imagePrefix;

    @Option(names = "--version", paramLabel = "V", description = "Release version: image tags, chart version (default: the jar's).")
    String version;

    @Option(names = "--source", paramLabel = "DIR", description = "The checkout to take build outputs from (default: the jar's).")
    Path source;

    @Option(names = "--hpi", paramLabel = "FILE", description = "The Jenkins plugin (default: SOURCE/jenkins-plugin/plugin/target/slipway.hpi).")
    Path hpi;

    @Option(names = "--no-jenkins-plugin", description = "Release without the Jenkins plugin, knowingly.")
    boolean noJenkinsPlugin;

    @Mixin
    RegistryOptions registry;

    /** What a release wrote: the images' digests and the files. */
    public record Result(Digest registryImage, Digest taskImage, Path chart, Digest bundle, List<Path> files) {
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Result r = release(out);
        out.println("registry image " + r.registryImage() + ", step image " + r.taskImage()
                + (r.bundle() == null ? "" : ", Tekton bundle " + r.bundle()));
        return 0;
    }

    Result release(PrintWriter log) throws IOException, InterruptedException {
        Path root = source != null ? source : checkout();
        Path serverJar = root.resolve("server/target/slipway.jar");
        Path clientJar = root.resolve("cli/target/slipway-client.jar");
        Path chartDir = root.resolve("deploy/helm/slipway");
        Path tekton = root.resolve("tekton-task/src/main/tekton");
        Path plugin = hpi != null ? hpi : root.resolve("jenkins-plugin/plugin/target/slipway.hpi");
        List<String> missing = new ArrayList<>();
        need(missing, serverJar, "the registry's jar: ./slipway --version builds it (mvn -pl server -am package)");
        need(missing, clientJar, "the client jar of the step image: mvn -pl cli -am package -DskipTests");
        need(missing, chartDir.resolve("Chart.yaml"), "the Helm chart deploy/helm/slipway");
        need(missing, tekton.resolve("slipway-pipeline.yaml"), "the Tekton files tekton-task/src/main/tekton");
        if (!noJenkinsPlugin) {
            need(missing, plugin, "the Jenkins plugin: mvn -pl jenkins-plugin/plugin -am package -DskipTests "
                    + "(or --hpi FILE, or --no-jenkins-plugin to release without it)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("cannot release, missing:\n  " + String.join("\n  ", missing));
        }
        String v = version != null ? version : jarVersion();
        if (!v.matches("[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?")) {
            throw new IllegalArgumentException("version " + v + " is not SemVer (a chart's version must be)");
        }
        RegistryAccess access = null;
        String prefix = imagePrefix;
        if (push != null) {
            prefix = push.replaceAll("/+$", "");
            if (!prefix.matches("[^/]+/[a-z0-9][a-z0-9._-]*")) {
                throw new IllegalArgumentException("--push must be REGISTRY/NAMESPACE, e.g. registry.example.com/platform");
            }
            access = registry.access();
            String host = prefix.substring(0, prefix.indexOf('/'));
            if (!access.host().equals(host)) {
                throw new IllegalArgumentException("--push names " + host + " but the credentials are for " + access.host()
                        + ": pass --registry URL of " + host);
            }
        }
        String namespace = prefix.contains("/") ? prefix.substring(prefix.indexOf('/') + 1) : prefix;

        Files.createDirectories(output);
        Path work = Files.createTempDirectory("slipway-release");
        try {
            List<Path> files = new ArrayList<>();
            log.println("building the registry image from " + serverJar);
            BuildFile serverImage = ServerImage.buildFile(serverJar, work.resolve("registry"));
            Path registryTar = output.resolve(REGISTRY_IMAGE + ".tar");
            Digest registryDigest = BuildStep.writeTarball(serverImage, prefix + "/" + REGISTRY_IMAGE + ":" + v, registryTar);
            files.add(registryTar);

            log.println("building the step image from " + clientJar);
            BuildFile taskImage = TaskImage.buildFile(clientJar, work.resolve("task"));
            Path taskTar = output.resolve(TASK_IMAGE + ".tar");
            Digest taskDigest = BuildStep.writeTarball(taskImage, prefix + "/" + TASK_IMAGE + ":" + v, taskTar);
            files.add(taskTar);

            Path tektonOut = output.resolve("tekton");
            Folders.deleteTree(tektonOut);
            TaskImage.pin(tekton, tektonOut, prefix + "/" + TASK_IMAGE, taskDigest);
            try (Stream<Path> yaml = Files.list(tektonOut)) {
                yaml.sorted().forEach(files::add);
            }

            Path chart = packageChart(chartDir, work.resolve("chart"), v, prefix + "/" + REGISTRY_IMAGE, registryDigest);
            files.add(chart);

            if (!noJenkinsPlugin) {
                Path target = output.resolve("slipway.hpi");
                Files.copy(plugin, target, StandardCopyOption.REPLACE_EXISTING);
                files.add(target);
            }
            for (Path f : files) {
                long size = Files.size(f);
                log.printf("wrote %s (%s)%n", f, size < 1_000_000 ? (size + 999) / 1000 + " kB" : String.format("%.1f MB", size / 1e6));
            }

            Digest bundle = null;
            if (access != null) {
                pushImage(access, serverImage, namespace + "/" + REGISTRY_IMAGE, v, registryDigest, log);
                pushImage(access, taskImage, namespace + "/" + TASK_IMAGE, v, taskDigest, log);
                pushChart(access, chart, prefix, log);
                List<Path> resources;
                try (Stream<Path> yaml = Files.list(tektonOut)) {
                    resources = yaml.sorted().toList();
                }
                bundle = TektonBundle.of(resources).push(access.client(), namespace + "/" + BUNDLE, v);
                log.println("pushed " + prefix + "/" + BUNDLE + ":" + v + "@" + bundle
                        + " (a PipelineRun's taskRef: resolver bundles, bundle " + prefix + "/" + BUNDLE + "@" + bundle + ")");
            }
            return new Result(registryDigest, taskDigest, chart, bundle, files);
        } finally {
            Folders.deleteTree(work);
        }
    }

    /** Chart.yaml's version and appVersion set to the release's, the image pinned by digest; packaged into the output. */
    private Path packageChart(Path chartDir, Path work, String v, String repository, Digest digest) throws IOException {
        Path copy = work.resolve("slipway");
        Folders.copyTree(chartDir, copy);
        Path chartYaml = copy.resolve("Chart.yaml");
        ValuesFile.read(chartYaml).set("version", v).set("appVersion", v).write(chartYaml);
        Path values = copy.resolve("values.yaml");
        ValuesFile.read(values).set("image.repository", repository).set("image.tag", v).set("image.digest", digest.toString())
                .write(values);
        Path packaged = Files.createDirectories(work.resolve("packaged"));
        // every helm-java call through HelmCalls: its context class loader, no native-library download
        HelmCalls.call(() -> new Helm(copy).packageIt().withDestination(packaged).call());
        Path tgz = output.resolve("slipway-" + v + ".tgz");
        Files.copy(packaged.resolve("slipway-" + v + ".tgz"), tgz, StandardCopyOption.REPLACE_EXISTING);
        return tgz;
    }

    /** Jib pushes what it wrote to the tar; the same build file gives the same digest, or the release stops. */
    private static void pushImage(RegistryAccess access, BuildFile image, String repository, String v, Digest expected,
            PrintWriter log) throws IOException, InterruptedException {
        BuildStep.Result pushed = new BuildStep(access, ProgressListener.NONE)
                .run(new BuildStep.Input(image, repository + ":" + v, List.of(), null));
        if (!pushed.image().digest().equals(expected)) {
            throw new IOException(repository + ": pushed " + pushed.image().digest() + " but the tar holds " + expected
                    + " (the image build is not reproducible)");
        }
        log.println("pushed " + access.host() + "/" + repository + ":" + v + "@" + expected);
    }

    private static void pushChart(RegistryAccess access, Path chart, String prefix, PrintWriter log) {
        boolean plainHttp = access.url().startsWith("http://");
        String host = access.host();
        if (access.user() != null) {
            var login = Helm.registry().login().withHost(host).withUsername(access.user()).withPassword(access.secret());
            HelmCalls.call(() -> (plainHttp ? login.plainHttp() : login).call());
        }
        var helmPush = Helm.push().withChart(chart).withRemote(URI.create("oci://" + prefix));
        String out = HelmCalls.call(() -> (plainHttp ? helmPush.plainHttp() : helmPush).call());
        log.println(out.strip());
    }

    private static void need(List<String> missing, Path file, String what) {
        if (!Files.isRegularFile(file)) {
            missing.add(file + " — " + what);
        }
    }

    /** server/target/slipway.jar → the checkout; from classes (tests, an IDE) the working directory. */
    private static Path checkout() {
        try {
            Path jar = Path.of(ReleaseCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(jar) && jar.getParent().getFileName().toString().equals("target")) {
                return jar.getParent().getParent().getParent();
            }
        } catch (Exception e) {
            // not from a jar: fall through
        }
        return Path.of("").toAbsolutePath();
    }

    /** The version Maven gave the full distribution (its pom.properties in the shaded jar). */
    private static String jarVersion() throws IOException {
        try (InputStream in = ReleaseCommand.class.getResourceAsStream("/META-INF/maven/io.slipway/slipway-server/pom.properties")) {
            if (in == null) {
                throw new IllegalArgumentException("no version in this build: pass --version");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }
}
