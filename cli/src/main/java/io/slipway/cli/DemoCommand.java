package io.slipway.cli;

import io.slipway.helm.render.RenderCheck;
import io.slipway.helm.render.RenderedImage;
import io.slipway.oci.Reference;
import io.slipway.oci.client.RegistryClient;
import io.slipway.pipeline.ManagementApi;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.build.BuildFile;
import io.slipway.pipeline.build.BuildFileParser;
import io.slipway.pipeline.build.BuildStep;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slipway demo}: the whole pipeline of the README on the embedded registry, in eight steps
 * that each print one line with their duration. Every step is the real command a CI job would run
 * ({@code slipway gate|sign|deploy|promote|policy|cr …}, called in-process) or the pipeline step
 * behind it; nothing is simulated. The registry, the GitOps repository and the keys live in one
 * folder, removed at the end unless {@code --data} or {@code --keep} says otherwise.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on an embedded registry: build the example service with Jib, see the gate stop "
                + "Log4Shell, fix, sign, deploy to dev and promote to prod by commit in a local GitOps repository.",
                "Needs a JDK (the example is compiled in-process) and, unless the Log4j jars are in ~/.m2, Maven Central."})
final class DemoCommand implements Callable<Integer> {
    static final String DEV = "demo-dev";
    static final String PROD = "demo-prod";
    static final String REPOSITORY = "hello-service";
    static final String CI = "ci";
    private static final String CHART = "charts/hello-service";
    private static final String DEV_VALUES = "envs/dev/values.yaml";
    private static final String PROD_VALUES = "envs/prod/values.yaml";
    private static final int STEPS = 8;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Keep everything in this new or empty folder (registry data, GitOps repository, keys). "
                    + "Default: a temporary folder, removed at the end.")
    Path data;

    @Option(names = "--keep", description = "Leave the registry running at the end (stop it with Ctrl-C), and its data.")
    boolean keep;

    @Option(names = "--examples", paramLabel = "DIR", description = "The examples folder (default: the checkout's examples/).")
    Path examples;

    private PrintWriter out;
    private Path root;
    private Path examplesDir;
    private RegistryServer server;
    private String url;
    private String host;
    private String adminKey;
    private String ciKey;
    private int step;

    /** A step failed: which, and why; the demo stops with {@code exitCode}. */
    static final class StepFailed extends RuntimeException {
        final int exitCode;

        StepFailed(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** One step's work: returns its summary line and adds detail lines (printed indented under it). */
    private interface Body {
        String run(List<String> details) throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        // The steps' own log lines would drown the demo's; warnings and errors still show.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        examplesDir = locateExamples(examples);
        boolean temporary = data == null;
        if (!temporary && !Folders.isEmptyOrMissing(data)) {
            throw new IllegalArgumentException("--data " + data + " is not empty: the demo starts from nothing, give a new or empty folder");
        }
        root = temporary ? Files.createTempDirectory("slipway-demo-") : Files.createDirectories(data).toAbsolutePath();
        long started = System.nanoTime();
        out.println("Slipway demo: build, scan gate, sign, deploy and promote on an embedded registry (files in " + root + ")");
        boolean finished = false;
        try {
            run();
            finished = true;
            out.printf(Locale.ROOT, "Demo done in %.1f s.%n", seconds(started));
            if (keep) {
                lookAround();
                out.flush();
                // Ctrl-C ends the JVM without reaching the finally below: the registry is stopped then.
                RegistryCommand.closeOnExit(server);
                takeBackStopSignals();
                server.join();
            } else {
                out.println("To look around, run ./slipway demo --keep: the registry stays up at the end.");
            }
            return 0;
        } catch (StepFailed e) {
            err.println("slipway demo: step " + step + "/" + STEPS + " failed: " + e.getMessage());
            return e.exitCode;
        } catch (Exception e) {
            err.println("slipway demo: step " + step + "/" + STEPS + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return Slipway.exitCode(e) == 0 ? 1 : Slipway.exitCode(e);
        } finally {
            cleanUp(temporary, finished, err);
        }
    }

    // what one step leaves for the next ones
    private String vulnerable;
    private String fixed;
    private Path gitopsBare;

    private void run() {
        step("registry", this::startRegistry);
        step("build", d -> {
            Built b = build(ExampleService.VULNERABLE, "1.0", d);
            vulnerable = b.digest();
            return b.line();
        });
        step("gate", d -> gateFails(vulnerable, d));
        step("rebuild", d -> {
            Built b = build(ExampleService.FIXED, "1.1", d);
            fixed = b.digest();
            return b.line() + "; " + gatePasses(fixed, d);
        });
        step("sign", this::sign);
        step("deploy", this::deploy);
        step("promote", this::promote);
        step("summary", this::summary);
    }

    private void step(String name, Body body) {
        step++;
        long t0 = System.nanoTime();
        List<String> details = new ArrayList<>();
        String line;
        try {
            line = body.run(details);
        } catch (StepFailed e) {
            throw new StepFailed(name + ": " + e.getMessage(), e.exitCode);
        } catch (Exception e) {
            int code = Slipway.exitCode(e);
            throw new StepFailed(name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), code == 0 ? 1 : code);
        }
        out.printf(Locale.ROOT, "[%d/%d] %s (%.1f s)%n", step, STEPS, line, seconds(t0));
        for (String d : details) {
            out.println("      " + d);
        }
        out.flush();
    }

    // --- 1: registry, account, namespaces, CI service ID, advisories -------------------------------

    private String startRegistry(List<String> details) throws Exception {
        Path registryData = root.resolve("registry");
        List<String> importArgs = new ArrayList<>(List.of("va", "db", "import", "--data", registryData.toString()));
        List<Path> advisories;
        try (Stream<Path> files = Files.list(examplesDir.resolve("advisories"))) {
            advisories = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        advisories.forEach(p -> importArgs.add(p.toString()));
        expect(0, "va db import", cli(importArgs.toArray(String[]::new)));

        // The demo's own registry: a free loopback port, token authentication as in production.
        server = RegistryServer.start(RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(registryData));
        url = server.uri().toString();
        host = "127.0.0.1:" + server.port();
        adminKey = server.bootstrap() != null && server.bootstrap().generatedKey() != null
                ? server.bootstrap().generatedKey() : System.getenv("SLIPWAY_ADMIN_API_KEY");
        if (data != null || keep) {
            // The key is shown once; a kept folder keeps it too, readable by its owner only, so that the
            // registry can be started again on it (slipway registry serve --data DIR/registry).
            Path keyFile = root.resolve("admin.key");
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyFile, adminKey + "\n");
            details.add("the administrator's API key is in " + keyFile);
        }
        ManagementApi admin = new ManagementApi(RegistryAccess.apiKey(url, adminKey));
        for (String ns : List.of(DEV, PROD)) {
            admin.post("/namespaces", ManagementApi.object().put("name", ns));
        }
        admin.post("/service-ids", ManagementApi.object().put("name", CI));
        admin.post("/policies", ManagementApi.object().put("serviceId", CI).put("role", "Writer").put("namespace", DEV));
        ciKey = admin.post("/api-keys", ManagementApi.object().put("serviceId", CI)).path("apiKey").asText();
        details.add("account \"default\" with its administrator; namespaces " + DEV + " and " + PROD
                + "; service ID \"" + CI + "\" is the only one besides the administrator that may push (Writer on " + DEV + ")");
        details.add(advisories.size() + " advisory records imported from examples/advisories (the 2021 Log4j GHSA records)");
        return "registry up at " + url + " (token auth; data in " + registryData + ")";
    }

    // --- 2 and 4: build with Jib and push ----------------------------------------------------------

    /** An image built and pushed: its digest, and the step's line. */
    private record Built(String digest, String line) {
    }

    private Built build(String log4j, String tag, List<String> details) throws Exception {
        MavenJars jars = MavenJars.standard(Credentials.loginFile(System.getenv()).getParent().resolve("cache/maven"));
        ExampleService service = new ExampleService(examplesDir.resolve("hello-service"), jars);
        ExampleService.Staged staged = service.stage(log4j, root.resolve("work/hello-service-" + log4j));
        BuildFile file = onScratch(new BuildFileParser().parse(staged.buildFile()));
        BuildStep.Result r = new BuildStep(RegistryAccess.apiKey(url, ciKey), line -> { })
                .run(new BuildStep.Input(file, DEV + "/" + REPOSITORY + ":" + tag, List.of(), root.resolve("jib-cache")));
        String digest = r.image().digest().toString();
        if (vulnerable == null) { // said once, for the first build
            details.add("image: the service's " + String.join(" and ", file.layers().stream().map(BuildFile.Layer::name).toList())
                    + " layers on scratch, without the Java base jib.yaml names: the demo pulls nothing from public registries,"
                    + " so this image is scanned, signed and deployed by commit, not run");
        }
        details.add("compiled in-process with the JDK's javac; Log4j " + log4j + " jars from "
                + String.join(", ", staged.jars().stream().map(MavenJars.Found::from).distinct().toList()));
        return new Built(digest, "built hello-service " + tag + " (log4j-core " + log4j + ") with Jib as \"" + CI
                + "\", pushed " + host + "/" + DEV + "/" + REPOSITORY + ":" + tag + "@" + shortDigest(digest));
    }

    /**
     * The example's build file names a Java base image; the demo pulls nothing from public
     * registries, so it builds the same layers on scratch: an image to scan, sign and deploy by
     * commit, not one to run.
     */
    private static BuildFile onScratch(BuildFile f) {
        return new BuildFile(null, f.platforms(), f.creationTime(), f.format(), f.environment(), f.labels(), f.volumes(),
                f.exposedPorts(), f.user(), f.workingDirectory(), f.entrypoint(), f.cmd(), f.layers());
    }

    // --- 3 and 4: the gate -------------------------------------------------------------------------

    private String gateFails(String digest, List<String> details) {
        Captured gate = gate(digest);
        if (gate.code() != Slipway.GATE_FAILED || !gate.out().contains("CVE-2021-44228")) {
            throw new StepFailed("the gate should fail on CVE-2021-44228 in log4j-core " + ExampleService.VULNERABLE
                    + " but exited " + gate.code() + ": " + gate.err().strip(), 1);
        }
        gate.out().lines().forEach(details::add);
        // the Vulnerability Advisor's advice: the one version that fixes every finding
        expect(0, "cr va", as(ciKey, "cr", "va", DEV + "/" + REPOSITORY + "@" + digest, "--vulnerabilities")).out().lines()
                .filter(l -> l.startsWith("Advice:")).forEach(details::add);
        return "gate failed, as it must on log4j-core " + ExampleService.VULNERABLE + ": "
                + gate.err().strip().replaceFirst("^slipway: gate failed for [^:]+:[^:]+: ", "");
    }

    private String gatePasses(String digest, List<String> details) {
        Captured gate = expect(0, "gate", gate(digest));
        gate.out().lines().forEach(details::add);
        return "gate passed";
    }

    private Captured gate(String digest) {
        return as(ciKey, "gate", "--image", DEV + "/" + REPOSITORY + "@" + digest, "--severity", "high",
                "--timeout", "60s", "--interval", "250ms");
    }

    // --- 5: sign; both images with their status ----------------------------------------------------

    private String sign(List<String> details) throws Exception {
        Path keys = root.resolve("keys");
        expect(0, "key generate", cli("key", "generate", "--output-dir", keys.toString(), "--name", "release"));
        String image = DEV + "/" + REPOSITORY + "@" + fixed;
        expect(0, "sign", as(ciKey, "sign", "--image", image, "--key", keys.resolve("release.key").toString()));
        Captured verified = expect(0, "verify", as(ciKey, "verify", "--image", image, "--key", keys.resolve("release.pub").toString()));
        details.add(verified.out().strip());
        Captured list = expect(0, "cr image-list --va", as(adminKey, "cr", "image-list", "--va", "--restrict", DEV));
        list.out().lines().forEach(details::add);
        if (!list.out().contains(vulnerable.substring(7, 19)) && !list.out().contains("1.0")) {
            throw new StepFailed("image-list does not show the vulnerable image", 1);
        }
        return "signed " + DEV + "/" + REPOSITORY + ":1.1 with a key made for the demo (cosign format, "
                + keys.resolve("release.pub") + ")";
    }

    // --- 6: deploy to dev by commit ----------------------------------------------------------------

    private String deploy(List<String> details) throws Exception {
        gitopsBare = seedGitOps();
        String image = host + "/" + DEV + "/" + REPOSITORY + ":1.1@" + fixed;
        Captured deployed = expect(0, "deploy", cli("deploy", "--gitops", gitopsBare.toUri().toString(), "--values", DEV_VALUES,
                "--chart", CHART, "--image", image));
        details.add(deployed.out().strip());
        details.add("helm template with " + DEV_VALUES + ": " + rendered(DEV_VALUES, image));
        return "deployed to dev: " + DEV_VALUES + " in " + gitopsBare + " pins " + REPOSITORY + ":1.1@" + shortDigest(fixed);
    }

    /** A bare repository holding examples/gitops as its first commit, as a team's GitOps repository would. */
    private Path seedGitOps() throws IOException, GitAPIException {
        Path bare = root.resolve("gitops.git");
        Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
        Path work = root.resolve("work/gitops-seed");
        PersonIdent demo = new PersonIdent("Slipway demo", "demo@slipway.invalid");
        try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(work.toFile()).call()) {
            Folders.copyTree(examplesDir.resolve("gitops"), work);
            git.add().addFilepattern(".").call();
            git.commit().setMessage("Seed from examples/gitops").setAuthor(demo).setCommitter(demo).call();
            git.push().setRefSpecs(new RefSpec("HEAD:refs/heads/main")).call();
        }
        return bare;
    }

    /** Renders the chart from a fresh clone with one environment's values; the image it deploys, proven to be {@code image}. */
    private String rendered(String valuesPath, String image) throws Exception {
        Path check = Files.createTempDirectory(root.resolve("work"), "render-");
        try (Git git = Git.cloneRepository().setURI(gitopsBare.toUri().toString()).setDirectory(check.toFile()).call()) {
            List<RenderedImage> images = RenderCheck.chart(check.resolve(CHART)).valuesFiles(List.of(check.resolve(valuesPath)))
                    .expect(Reference.parse(image)).skipLint().run();
            return images.get(0).lineText().strip();
        } finally {
            Folders.deleteTree(check);
        }
    }

    // --- 7: promote to prod ------------------------------------------------------------------------

    private String promote(List<String> details) throws Exception {
        Path keys = root.resolve("keys");
        expect(0, "policy key-add", as(adminKey, "policy", "key-add", "release", "--public-key", keys.resolve("release.pub").toString()));
        Path policy = root.resolve("prod-image-policy.yaml");
        Files.writeString(policy, Files.readString(examplesDir.resolve("policies/prod-image-policy.yaml"))
                .replace("registry.example.com:5000", host));
        expect(0, "policy apply", as(adminKey, "policy", "apply", "-f", policy.toString()));
        // What the policy is for: the unsigned, vulnerable 1.0 would be refused in prod.
        Captured denied = as(adminKey, "policy", "check", host + "/" + DEV + "/" + REPOSITORY + "@" + vulnerable, "--namespace", "prod");
        if (denied.code() != Slipway.POLICY_DENIED) {
            throw new StepFailed("the prod policy should deny the unsigned 1.0 image but exited " + denied.code(), 1);
        }
        details.add("policy \"production\" (examples/policies) requires the release key's signature and nothing high or critical;"
                + " it denies 1.0:");
        denied.out().lines().map(l -> "  " + l).forEach(details::add);
        Captured promoted = expect(0, "promote", as(adminKey, "promote", "--gitops", gitopsBare.toUri().toString(), "--from", DEV_VALUES,
                "--to", PROD_VALUES, "--chart", CHART, "--to-namespace", PROD));
        details.add(promoted.out().strip());
        RegistryClient registry = new RegistryClient(url, RegistryAccess.API_KEY_USER, adminKey);
        String copied = registry.manifestDigest(PROD + "/" + REPOSITORY, "1.1").toString();
        if (!copied.equals(fixed)) {
            throw new StepFailed(PROD + "/" + REPOSITORY + ":1.1 is " + copied + ", not the promoted image", 1);
        }
        String image = host + "/" + PROD + "/" + REPOSITORY + ":1.1@" + copied;
        details.add("helm template with " + PROD_VALUES + ": " + rendered(PROD_VALUES, image));
        return "promoted to prod: policy allowed 1.1, image copied server-side to " + PROD + "/" + REPOSITORY + ":1.1, "
                + PROD_VALUES + " pins it";
    }

    // --- 8: what happened --------------------------------------------------------------------------

    private String summary(List<String> details) throws Exception {
        Captured list = expect(0, "cr image-list --va", as(adminKey, "cr", "image-list", "--va"));
        details.add("$ slipway cr image-list --va");
        list.out().lines().forEach(details::add);
        details.add("$ git log --oneline (" + gitopsBare + ")");
        try (Git git = Git.open(gitopsBare.toFile())) {
            for (RevCommit c : git.log().call()) {
                details.add(c.abbreviate(7).name() + " " + c.getShortMessage());
            }
        }
        return "what happened: the registry's images and the GitOps repository's history";
    }

    private void lookAround() {
        out.println("The registry stays up at " + url + "/v2/ until Ctrl-C (data in " + root + "):");
        out.println("  ./slipway login --registry " + url + " --api-key " + adminKey + "    # the administrator");
        out.println("  ./slipway cr image-list --va");
        out.println("  ./slipway cr va " + DEV + "/" + REPOSITORY + ":1.0");
        out.println("  git clone " + root.resolve("gitops.git") + " && git -C gitops log -p");
        out.println("  CI's API key (Writer on " + DEV + "): " + ciKey);
    }

    /**
     * Helm runs in-process as a Go shared library (helm-java), and loading it replaces the JVM's
     * handlers of SIGINT and SIGTERM with the Go runtime's, which ignore them: Ctrl-C would not stop
     * the kept registry. Handlers installed again through the JVM make both exit normally, so the
     * shutdown hook stops the registry.
     */
    @SuppressWarnings("restriction")
    private static void takeBackStopSignals() {
        for (String name : List.of("INT", "TERM")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> new Thread(() -> System.exit(128 + signal.getNumber()),
                        "demo-stop").start());
            } catch (IllegalArgumentException e) {
                // the JVM runs with -Xrs or the signal is unknown here: leave it as it is
            }
        }
    }

    private void cleanUp(boolean temporary, boolean finished, PrintWriter err) {
        List<String> done = new ArrayList<>();
        if (server != null) {
            try {
                server.close();
                done.add("registry stopped");
            } catch (Exception e) {
                err.println("slipway demo: could not stop the registry: " + e.getMessage());
            }
        }
        if (temporary && !keep) {
            try {
                Folders.deleteTree(root);
                done.add(root + " removed");
            } catch (IOException e) {
                err.println("slipway demo: could not remove " + root + ": " + e.getMessage());
            }
        } else if (root != null) {
            done.add("files kept in " + root);
        }
        if (!finished && !done.isEmpty()) {
            err.println("slipway demo: cleaned up: " + String.join(", ", done));
        }
    }

    // --- running the CLI's own commands in-process -------------------------------------------------

    /** What one in-process command printed. */
    record Captured(int code, String out, String err) {
    }

    private static Captured cli(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Slipway.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Captured(code, o.toString(), e.toString());
    }

    private Captured as(String apiKey, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--registry", url, "--api-key", apiKey));
        return cli(all.toArray(String[]::new));
    }

    private static Captured expect(int code, String what, Captured c) {
        if (c.code() != code) {
            String why = (c.err().isBlank() ? c.out() : c.err()).strip().replaceFirst("^slipway: ", "");
            throw new StepFailed("slipway " + what + " exited " + c.code() + ": " + why, c.code() == 0 ? 1 : c.code());
        }
        return c;
    }

    // --- helpers -----------------------------------------------------------------------------------

    /**
     * The examples folder of the checkout this command runs from: found from where its classes are
     * (cli/target/slipway.jar or cli/target/classes), else from the working directory.
     */
    static Path locateExamples(Path given) throws URISyntaxException {
        if (given != null) {
            if (!Files.isRegularFile(given.resolve("hello-service/jib.yaml"))) {
                throw new IllegalArgumentException(given + " is not Slipway's examples folder (no hello-service/jib.yaml)");
            }
            return given.toAbsolutePath();
        }
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("examples/hello-service/jib.yaml"))) {
                    return dir.resolve("examples");
                }
            }
        }
        throw new IllegalArgumentException("cannot find the examples folder of a Slipway checkout; run ./slipway demo "
                + "from the checkout or give --examples DIR");
    }

    private static String shortDigest(String digest) {
        return digest.substring(0, Math.min(digest.length(), 19)) + "…";
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
