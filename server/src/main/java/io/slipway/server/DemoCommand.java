package io.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.Folders;
import io.slipway.cli.Slipway;
import io.slipway.pipeline.ManagementClient;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.build.BuildStep;
import io.slipway.pipeline.build.JavaRuntimeBase;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slipway demo}: the whole pipeline on the embedded default, on this machine, with nothing
 * but Java and Maven. Every step is a real command of this CLI run against a real registry, with
 * the line a user would type shown next to what it did:
 * <ol>
 * <li>start the registry on a free loopback port; an account's namespaces for base images, dev and
 *     prod, a CI service ID that alone may push to dev, a release service ID that alone may push to
 *     prod; the example advisory database; the Java runtime base image, made from this JDK;</li>
 * <li>build the example service (log4j-core 2.14.1) with Maven and its image with Jib, push;</li>
 * <li>the gate fails on CVE-2021-44228 and shows the fix;</li>
 * <li>rebuild with the fix, push, the gate passes;</li>
 * <li>sign; the image list with each image's security status;</li>
 * <li>deploy to dev by a commit in a local GitOps repository, the chart rendered to prove the digest;</li>
 * <li>promote to prod: the image policy checked, the image copied into the prod namespace;</li>
 * <li>what happened: images, commits, where to look.</li>
 * </ol>
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on the embedded registry: build, gate, sign, deploy, promote.")
final class DemoCommand implements Callable<Integer> {
    static final String DEV = "hello-dev";
    static final String PROD = "hello-prod";
    static final String BASE = "base-images";
    static final String REPOSITORY = "hello-service";
    static final String DEV_VALUES = "hello-service/envs/dev/values.yaml";
    static final String PROD_VALUES = "hello-service/envs/prod/values.yaml";
    private static final int STEPS = 8;
    /** What the example service needs, from {@code jdeps --print-module-deps} (log4j-core needs java.beans). */
    static final List<String> RUNTIME_MODULES = List.of("java.base", "java.desktop", "java.logging", "java.management",
            "java.naming", "java.sql", "jdk.httpserver");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Keep everything here (a new or empty folder); default: a temporary folder, removed at the end.")
    Path data;

    @Option(names = "--keep", description = "Leave the registry running at the end (Ctrl-C stops it).")
    boolean keep;

    @Option(names = "--examples", paramLabel = "DIR",
            description = "The examples folder (default: ./examples, or the one of the checkout the jar was built in).")
    Path examples;

    private PrintWriter out;
    private Path work;
    private RegistryServer server;
    private String url;
    private String host;
    private String adminKey;
    private String ciKey;
    private String releaseKey;
    private int step;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Path exampleDir = findExamples();
        boolean temporary = data == null;
        work = temporary ? Files.createTempDirectory("slipway-demo") : prepareDataFolder(data);
        // The registry's and the libraries' own log lines would bury the demo's, and a library's
        // warning printed halfway through a step line would garble it: they go to a file.
        Path log = work.resolve("registry.log");
        Logs.toFile(log);
        long started = System.nanoTime();
        boolean failed = false;
        out.println("Slipway demo, files in " + work + (temporary && !keep ? " (removed at the end)" : "")
                + "; the registry logs to " + log.getFileName());
        try {
            runSteps(exampleDir);
            out.printf("%nDemo finished in %.1f s.%n", seconds(started));
            if (keep) {
                out.println("The registry stays up at " + url + " (Ctrl-C stops it). Look around with:");
                out.println("  ./slipway login --registry " + url + " --api-key " + adminKey);
                out.println("  ./slipway cr image-list --va");
                out.println("  ./slipway cr va " + host + "/" + DEV + "/" + REPOSITORY + ":1.0.0");
                out.println("  git --git-dir " + work.resolve("gitops.git") + " log --stat");
                out.println("The Registry Console: " + url + "/console/");
                out.println("  sign in with the API key " + adminKey);
                out.flush();
                // Ctrl-C ends the JVM without reaching the finally below: the registry is stopped then.
                RegistryCommand.closeOnExit(server);
                takeBackStopSignals();
                server.join();
            }
            return 0;
        } catch (StepFailed e) {
            out.println();
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println("slipway demo: failed at step " + step + "/" + STEPS + ": " + e.getMessage());
            if (!e.detail.isBlank()) {
                e.detail.lines().forEach(l -> err.println("  | " + l));
            }
            failed = true;
            return 1;
        } catch (Exception e) {
            // not a command's refusal but this process's own trouble (a port, a file, the network)
            spec.commandLine().getErr().println("slipway demo: failed at step " + step + "/" + STEPS + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
            failed = true;
            int code = Slipway.exitCode(e);
            return code == 0 ? 1 : code;
        } finally {
            if (server != null) {
                server.close();
            }
            if (temporary && !keep) {
                Folders.deleteTree(work);
            } else if (adminKey != null) {
                out.println("Files of the demo are in " + work + ". To bring its registry back:");
                out.println("  ./slipway registry serve --data " + work.resolve("registry") + "   # administrator's API key: "
                        + adminKey);
            }
            if (failed) {
                spec.commandLine().getErr().println("slipway demo: cleaned up: " + (server != null ? "registry stopped, " : "")
                        + (temporary && !keep ? work + " removed" : "files kept in " + work));
                spec.commandLine().getErr().flush();
            }
            out.flush();
        }
    }

    private void runSteps(Path exampleDir) throws Exception {
        begin("Registry");
        Path registryData = work.resolve("registry");
        cli(null, "va", "db", "import", "--data", registryData.toString(),
                exampleDir.resolve("advisories").toString() + "/GHSA-jfh8-c2jp-5v3q.json",
                exampleDir.resolve("advisories").toString() + "/GHSA-7rjr-3q55-vv33.json",
                exampleDir.resolve("advisories").toString() + "/GHSA-p6xc-xr62-6r2g.json",
                exampleDir.resolve("advisories").toString() + "/GHSA-8489-44mv-ggj8.json");
        server = RegistryServer.start(RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(registryData));
        url = server.uri().toString().replaceAll("/+$", "");
        host = "127.0.0.1:" + server.port();
        adminKey = server.bootstrap().generatedKey();
        setUpAccount();
        // the base image belongs to this step's time: the build step starts with a registry that has it
        String base = buildBaseImage();
        done("up at " + url + ": namespaces " + BASE + ", " + DEV + ", " + PROD + "; service IDs ci (pushes to "
                + DEV + ") and release (pushes to " + PROD + "); 4 Log4j advisories (GHSA) loaded");
        out.println("       base image " + base + ": a jlink'ed Java " + Runtime.version().feature()
                + " runtime and its C libraries, made from this machine's JDK");

        begin("Build");
        Path service = copyService(exampleDir.resolve("hello-service"));
        String vulnerable = buildService(service, "1.0.0", false);
        done("hello-service 1.0.0 (log4j-core 2.14.1) built by Maven, image by Jib, pushed: " + vulnerable);

        begin("Gate");
        Result gate = cli(ciKey, "gate", "--image", vulnerable, "--severity", "high", "--timeout", "2m", "--interval", "500ms");
        if (gate.code != Slipway.GATE_FAILED || !gate.out.contains("CVE-2021-44228")) {
            throw new StepFailed("the gate should have failed on CVE-2021-44228 (exit " + gate.code + ")", gate.all());
        }
        done("failed, as it should: the scan found Log4Shell");
        show("slipway gate --image " + vulnerable + " --severity high", gate.out);

        begin("Fix");
        String fixed = buildService(service, "1.0.1", true);
        Result pass = cli(ciKey, "gate", "--image", fixed, "--severity", "high", "--timeout", "2m", "--interval", "500ms");
        expect(pass, "the gate on the fixed image");
        done("hello-service 1.0.1 (log4j-core 2.17.1) pushed, gate passed: " + fixed);

        begin("Sign");
        Path keys = Files.createDirectories(work.resolve("keys"));
        expect(cli(null, "key", "generate", "--output-dir", keys.toString(), "--name", "release"), "key generation");
        expect(cli(ciKey, "sign", "--image", fixed, "--key", keys.resolve("release.key").toString()), "signing");
        expect(cli(ciKey, "verify", "--image", fixed, "--key", keys.resolve("release.pub").toString()), "verification");
        Result list = expect(cli(adminKey, "cr", "image-list", "--va"), "image-list");
        done("signed with a new cosign key (" + keys.resolve("release.pub") + ") and verified");
        show("slipway cr image-list --va", list.out);

        begin("Deploy to dev");
        String gitops = createGitOpsRepository(exampleDir.resolve("gitops"));
        Result deploy = expect(cli(null, "deploy", "--gitops", gitops, "--values", DEV_VALUES, "--image", fixed), "deploy");
        done("chart rendered with " + fixed.substring(fixed.indexOf('@') + 1, fixed.indexOf('@') + 20) + "…, "
                + lastLine(deploy.out));

        begin("Promote to prod");
        applyProdPolicy(keys.resolve("release.pub"));
        Result denied = cli(adminKey, "policy", "check", vulnerable, "--namespace", "prod");
        if (denied.code != Slipway.POLICY_DENIED) {
            throw new StepFailed("prod's policy should deny the vulnerable, unsigned 1.0.0 (exit " + denied.code + ")",
                    denied.all());
        }
        Result promote = cli(releaseKey, "promote", "--gitops", gitops, "--from", DEV_VALUES, "--to", PROD_VALUES,
                "--to-namespace", PROD);
        expect(promote, "promotion");
        // The copy keeps the signature made in dev, which names the dev repository: prod's policy
        // reads the prod name as the dev one (remapIdentity), so nobody signs the copy again.
        String promoted = fixed.replace("/" + DEV + "/", "/" + PROD + "/");
        Result allowed = expect(cli(adminKey, "policy", "check", promoted, "--namespace", "prod"), "policy check in prod");
        done("policy for prod allowed it (signed by release, no high vulnerability); " + lastLine(promote.out)
                + " The signature made in dev holds for the copy.");
        show("slipway policy check " + promoted + " --namespace prod", allowed.out);
        show("slipway policy check " + vulnerable + " --namespace prod   # what the policy says of 1.0.0", denied.out);

        begin("Summary");
        done("two images pushed, one stopped by the gate; the fixed one signed, deployed to dev, promoted to prod");
        show("slipway cr image-list --va", expect(cli(adminKey, "cr", "image-list", "--va"), "image-list").out);
        show("git log (" + gitops + ")", gitLog(gitops));
    }

    // --- the steps' parts

    /** What an administrator sets up once, through the management API. */
    private void setUpAccount() throws IOException {
        ManagementClient admin = new ManagementClient(RegistryAccess.apiKey(url, adminKey));
        for (String ns : List.of(BASE, DEV, PROD)) {
            admin.post("/namespaces", ManagementClient.object().put("name", ns));
        }
        admin.post("/service-ids", ManagementClient.object().put("name", "ci"));
        admin.post("/service-ids", ManagementClient.object().put("name", "release"));
        grant(admin, "ci", "Writer", DEV);
        grant(admin, "ci", "Reader", BASE);
        grant(admin, "release", "Reader", DEV);
        grant(admin, "release", "Writer", PROD);
        ciKey = admin.post("/api-keys", ManagementClient.object().put("serviceId", "ci")).path("apiKey").asText();
        releaseKey = admin.post("/api-keys", ManagementClient.object().put("serviceId", "release")).path("apiKey").asText();
    }

    private static void grant(ManagementClient admin, String serviceId, String role, String namespace) throws IOException {
        admin.post("/policies", ManagementClient.object().put("serviceId", serviceId).put("role", role).put("namespace", namespace));
    }

    /** The Java runtime image the service's jib.yaml builds on, pushed by the administrator. */
    private String buildBaseImage() throws Exception {
        var file = JavaRuntimeBase.of(RUNTIME_MODULES)
                .prepare(work.resolve("java-runtime"));
        String image = BASE + "/java-runtime:" + Runtime.version().feature();
        var result = new BuildStep(RegistryAccess.apiKey(url, adminKey), line -> { })
                .run(new BuildStep.Input(file, image, List.of(), work.resolve("jib-cache")));
        return result.reference(host);
    }

    /** The example's sources, copied so that the build writes nothing into the checkout. */
    private Path copyService(Path source) throws IOException {
        Path target = work.resolve("hello-service");
        Folders.copyTree(source, target, relative -> relative.startsWith("target"));
        return target;
    }

    /** {@code mvn package} (with {@code -Pfixed} for the fix), then {@code slipway build}; the pushed reference. */
    private String buildService(Path service, String version, boolean fixed) throws Exception {
        List<String> mvn = new ArrayList<>(List.of(maven(), "-q", "-B", "clean", "package"));
        if (fixed) {
            mvn.add("-Pfixed");
        }
        Process p = new ProcessBuilder(mvn).directory(service.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new StepFailed("Maven could not build " + service + " (" + String.join(" ", mvn) + ")", log);
        }
        Path urlFile = work.resolve("image-" + version + ".url");
        expect(cli(ciKey, "build", "--build-file", service.resolve("jib.yaml").toString(),
                "--image", DEV + "/" + REPOSITORY + ":" + version, "--url-file", urlFile.toString(),
                "--cache", work.resolve("jib-cache").toString()), "slipway build");
        String reference = Files.readString(urlFile).strip();
        // The tag stays in the reference: the values then say which version runs, the digest what bytes.
        return reference.replace("@", ":" + version + "@");
    }

    /** A bare repository holding the example GitOps folder as its first commit, as a team's would. */
    private String createGitOpsRepository(Path source) throws Exception {
        Path bare = work.resolve("gitops.git");
        Path checkout = work.resolve("gitops-initial");
        Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
        try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(checkout.toFile()).call()) {
            Folders.copyTree(source, checkout);
            git.add().addFilepattern(".").call();
            git.commit().setMessage("The example GitOps repository").setAuthor("Platform team", "platform@example.com")
                    .setCommitter("Platform team", "platform@example.com").call();
            for (var result : git.push().setRemote("origin").setRefSpecs(new RefSpec("HEAD:refs/heads/main")).call()) {
                for (var update : result.getRemoteUpdates()) {
                    if (update.getStatus() != RemoteRefUpdate.Status.OK) {
                        throw new StepFailed("could not push the example GitOps repository: " + update.getStatus(), "");
                    }
                }
            }
        }
        Folders.deleteTree(checkout);
        return bare.toUri().toString();
    }

    /**
     * prod runs only images signed by the release key with no high or critical vulnerability; a
     * copy promoted from dev is accepted with the signature made for its dev name.
     */
    private void applyProdPolicy(Path publicKey) throws Exception {
        expect(cli(adminKey, "policy", "key-add", "release", "--public-key", publicKey.toString()), "policy key-add");
        Path policy = work.resolve("prod-policy.yaml");
        Files.writeString(policy, """
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata:
                  name: production
                  namespace: prod
                spec:
                  repositories:
                    - name: "%1$s/%2$s/*"
                      policy:
                        trust:
                          signerKeys:
                            - name: release
                        vulnerability:
                          severity: high
                    - name: "%1$s/%3$s/*"
                      policy:
                        trust:
                          signerKeys:
                            - name: release
                          # promoted copies carry the signature made for the dev repository
                          signedIdentity:
                            type: remapIdentity
                            prefix: "%1$s/%3$s"
                            signedPrefix: "%1$s/%2$s"
                        vulnerability:
                          severity: high
                """.formatted(host, DEV, PROD));
        expect(cli(adminKey, "policy", "apply", "-f", policy.toString()), "policy apply");
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
                sun.misc.Signal.handle(new sun.misc.Signal(name),
                        signal -> new Thread(() -> System.exit(128 + signal.getNumber()), "demo-stop").start());
            } catch (IllegalArgumentException e) {
                // the JVM runs with -Xrs or does not know the signal here: leave it as it is
            }
        }
    }

    private static String gitLog(String repository) throws Exception {
        StringBuilder log = new StringBuilder();
        try (Git git = Git.open(Path.of(java.net.URI.create(repository)).toFile())) {
            for (RevCommit c : git.log().call()) {
                log.append(c.getId().abbreviate(8).name()).append(' ').append(c.getShortMessage()).append('\n');
            }
        }
        return log.toString();
    }

    // --- plumbing

    private Path findExamples() {
        if (examples != null) {
            return requireExamples(examples);
        }
        Path here = Path.of("examples");
        if (Files.isDirectory(here.resolve("hello-service"))) {
            return here.toAbsolutePath();
        }
        try {
            // cli/target/slipway.jar → the checkout's examples/
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path candidate = jar.getParent().getParent().getParent().resolve("examples");
            if (Files.isDirectory(candidate.resolve("hello-service"))) {
                return candidate;
            }
        } catch (Exception ignored) {
            // not run from a jar in a checkout
        }
        throw new IllegalArgumentException("no examples folder here; run from the checkout or pass --examples DIR");
    }

    private static Path requireExamples(Path dir) {
        for (String part : List.of("hello-service/jib.yaml", "gitops/hello-service/Chart.yaml", "advisories")) {
            if (!Files.exists(dir.resolve(part))) {
                throw new IllegalArgumentException(dir + " is not the examples folder: no " + part);
            }
        }
        return dir.toAbsolutePath();
    }

    private static Path prepareDataFolder(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--data " + dir + " is not empty; the demo starts from nothing");
                }
            }
        }
        return Files.createDirectories(dir).toAbsolutePath();
    }

    private static String maven() {
        String home = System.getenv("MAVEN_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return "mvn";
    }

    private long stepStarted;

    private void begin(String name) {
        step++;
        stepStarted = System.nanoTime();
        out.printf("[%d/%d] %-16s", step, STEPS, name);
        out.flush();
    }

    private void done(String what) {
        out.printf("%5.1f s  %s%n", seconds(stepStarted), what);
        out.flush();
    }

    private void show(String command, String output) {
        out.println("       $ " + command);
        output.lines().forEach(l -> out.println("         " + l));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String lastLine(String text) {
        List<String> lines = text.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** One command of this CLI, in this process, as the named service ID (or none). */
    private Result cli(String apiKey, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (apiKey != null) {
            all.addAll(List.of("--registry", url, "--api-key", apiKey));
        }
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Slipway.run(new PrintWriter(o, true), new PrintWriter(e, true), all.toArray(String[]::new));
        return new Result(code, o.toString(), e.toString());
    }

    private static Result expect(Result r, String what) {
        if (r.code != 0) {
            throw new StepFailed(what + " failed (exit " + r.code + ")", r.all());
        }
        return r;
    }

    /** A step did not end as the demo expects; the detail is the command's own output. */
    static final class StepFailed extends RuntimeException {
        final String detail;

        StepFailed(String message, String detail) {
            super(message);
            this.detail = detail == null ? "" : detail;
        }
    }
}
