package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.model.TaskListener;
import io.slipway.cli.Slipway;
import io.slipway.gitops.GitHttpServer;
import io.slipway.gitops.SeededRepository;
import io.slipway.gitops.SshGitServer;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Log4jJars;
import io.slipway.trust.keys.CosignKeyGenerator;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packed plugin as Jenkins loads it: its WEB-INF/lib jars behind a parent-first class loader
 * whose parent holds what Jenkins core 2.479.3 ships of the libraries the plugin also uses (JNA
 * 5.15.0, commons-compress 1.26.1, SLF4J 2.0.16 with jcl-over-slf4j, Guava 33.3.0-jre, commons-io
 * 2.17.0, commons-codec 1.17.1; target/core-libs, copied from Maven Central by the build) plus the
 * Jackson 2.17.0 that the war's jackson2-api library plugin carries, the worst case should a
 * Jenkins expose it, and the Jenkins API. Each step's agent work then runs through that loader for
 * real: Jib build and push, the gate's report, a cosign signature, a GitOps deploy with its render
 * check, over HTTP and over SSH. Helm is not in the plugin at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoreLibrariesIT {
    private static final Path HPI = Path.of(System.getProperty("slipway.hpi", "target/slipway.hpi"));
    private static final Path CORE_LIBS = Path.of(System.getProperty("slipway.coreLibs", "target/core-libs"));
    private static final Path EXAMPLES = Path.of("../../examples").toAbsolutePath().normalize();
    private static final String DEV_VALUES = "hello-service/envs/dev/values.yaml";

    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;
    String host;
    GitHttpServer git;
    URLClassLoader core;
    URLClassLoader plugin;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    void start() throws Exception {
        iam = new IamFixture(tmp.resolve("registry"));
        url = iam.server.uri().toString();
        host = "127.0.0.1:" + iam.server.port();
        cli("va", "db", "import", "--data", tmp.resolve("registry").toString(),
                EXAMPLES.resolve("advisories/GHSA-jfh8-c2jp-5v3q.json").toString());
        iam.server.scans().sweep();
        SeededRepository.create(Files.createDirectories(tmp.resolve("repos")).resolve("gitops.git"),
                EXAMPLES.resolve("gitops"), text -> text.replace("registry.example.com", host));
        git = new GitHttpServer(tmp.resolve("repos"), Map.of("jenkins", "git-s3cret"));

        List<URL> coreJars = new ArrayList<>();
        try (Stream<Path> jars = Files.list(CORE_LIBS)) {
            for (Path jar : jars.sorted().toList()) {
                coreJars.add(jar.toUri().toURL());
            }
        }
        assertThat(coreJars).hasSize(11);
        // the Jenkins API the plugin links to: the declarations, as core and the step plugins provide it
        coreJars.add(TaskListener.class.getProtectionDomain().getCodeSource().getLocation());
        core = new URLClassLoader("jenkins-core", coreJars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());

        Path lib = Files.createDirectories(tmp.resolve("plugin/WEB-INF/lib"));
        List<URL> pluginJars = new ArrayList<>();
        try (JarFile hpi = new JarFile(HPI.toFile())) {
            for (var e : hpi.stream().filter(e -> e.getName().startsWith("WEB-INF/lib/") && e.getName().endsWith(".jar")).toList()) {
                Path jar = lib.resolve(e.getName().substring("WEB-INF/lib/".length()));
                try (InputStream in = hpi.getInputStream(e)) {
                    Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
                }
                pluginJars.add(jar.toUri().toURL());
            }
        }
        // URLClassLoader asks its parent first, as Jenkins' plugin class loader asks core first
        plugin = new URLClassLoader("slipway", pluginJars.toArray(URL[]::new), core);
    }

    @AfterAll
    void stop() throws Exception {
        if (plugin != null) {
            plugin.close();
            core.close();
        }
        if (git != null) {
            git.close();
        }
        if (iam != null) {
            iam.close();
        }
    }

    @Test
    void coresLibrariesAreTheOnesThePluginGetsAndHelmIsNotInIt() throws Exception {
        for (String name : List.of("com.sun.jna.Native", "org.apache.commons.compress.archivers.tar.TarArchiveEntry",
                "org.slf4j.LoggerFactory", "org.apache.commons.logging.LogFactory", "com.google.common.collect.ImmutableList",
                "org.apache.commons.io.IOUtils", "org.apache.commons.codec.binary.Base64",
                "com.fasterxml.jackson.databind.ObjectMapper")) {
            assertThat(plugin.loadClass(name).getClassLoader()).as(name).isSameAs(core);
        }
        assertThat(plugin.loadClass("io.slipway.jenkins.SlipwayDeployStep").getClassLoader()).isSameAs(plugin);
        assertThatThrownBy(() -> plugin.loadClass("com.marcnuri.helm.Helm")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void everyStepsAgentWorkRunsOnCoresLibraries() throws Exception {
        Object stepLog = newInstance("io.slipway.jenkins.StepLog", listener());
        Object access = plugin.loadClass("io.slipway.pipeline.RegistryAccess").getConstructor(String.class, String.class, String.class)
                .newInstance(url, "iamapikey", iam.keys.get("ci"));
        Object login = newInstance("io.slipway.jenkins.AgentWork$RegistryLogin", access);

        // build: Jib (Guava, commons-compress, google-http-client over commons-codec and commons-logging)
        Path workspace = Files.createDirectories(tmp.resolve("workspace"));
        Files.createDirectories(workspace.resolve("lib"));
        Files.write(workspace.resolve("lib/log4j-core-2.14.1.jar"), Log4jJars.log4jCore("2.14.1"));
        Files.writeString(workspace.resolve("jib.yaml"), """
                apiVersion: jib/v1alpha1
                kind: BuildFile
                from: scratch
                creationTime: 2024-01-01T00:00:00Z
                format: OCI
                entrypoint: ["java", "-cp", "/app/lib/*", "Main"]
                layers:
                  entries:
                    - name: libraries
                      files:
                        - src: lib
                          dest: /app/lib
                """);
        Object buildStep = plugin.loadClass("io.slipway.jenkins.SlipwayBuildStep").getConstructor(String.class).newInstance("acme-dev/svc:1.0");
        Map<?, ?> built = (Map<?, ?>) act(newInstance("io.slipway.jenkins.SlipwayBuildStep$Build", buildStep, login, stepLog), workspace);
        String digest = (String) built.get("digest");
        assertThat(digest).startsWith("sha256:");

        // gate: the report read through the registry client (Jackson)
        Object image = plugin.loadClass("io.slipway.pipeline.PinnedImage").getMethod("parse", String.class)
                .invoke(null, "acme-dev/svc@" + digest);
        Object readReport = newInstance("io.slipway.jenkins.SlipwayGateStep$ReadReport", login, image);
        String report = (String) act(readReport, workspace);
        for (int look = 0; look < 240 && (report.contains("\"state\":\"SCANNING\"") || report.contains("\"state\":\"QUEUED\"")); look++) {
            Thread.sleep(250); // the scan runs in the background, as the gate step waits for it
            report = (String) act(readReport, workspace);
        }
        assertThat(report).contains("CVE-2021-44228");

        // sign: an encrypted cosign key (Bouncy Castle)
        CosignKeyGenerator.GeneratedKeyPair key = new CosignKeyGenerator().generate("horse".toCharArray());
        Map<?, ?> signed = (Map<?, ?>) act(newInstance("io.slipway.jenkins.SlipwaySignStep$Sign", host + "/acme-dev/svc@" + digest,
                login, key.privateKeyPem(), "horse", stepLog), workspace);
        assertThat(signed.get("signatures")).isEqualTo(1);

        // deploy: JGit over authenticated HTTP, and the render check in its child JVM from the packed jar
        Object deployStep = plugin.loadClass("io.slipway.jenkins.SlipwayDeployStep").getConstructor(String.class, String.class, String.class)
                .newInstance(git.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.0@" + digest);
        // The values hold hello-service, not svc: the key is named (found by name it would be refused).
        deployStep.getClass().getMethod("setKeys", java.util.List.class).invoke(deployStep, java.util.List.of("image"));
        Object gitLogin = newInstance("io.slipway.jenkins.StepCredentials$GitLogin", "jenkins", "git-s3cret", null, null);
        Map<?, ?> deployed = (Map<?, ?>) act(newInstance("io.slipway.jenkins.SlipwayDeployStep$Deploy", deployStep, gitLogin,
                "https://jenkins.example.com/job/app/1/", null, stepLog), workspace);
        assertThat(deployed.get("pushed")).isEqualTo(true);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Pushed " + deployed.get("commit"));

        // deploy over SSH: JGit's Apache MINA sshd transport on core's SLF4J
        Path ssh = Files.createDirectories(tmp.resolve("ssh"));
        var userKey = SshGitServer.newUserKey(ssh.resolve("id_ecdsa"));
        try (SshGitServer server = new SshGitServer(tmp.resolve("repos"), ssh.resolve("host.ser"), userKey.getPublic())) {
            Path knownHosts = Files.writeString(ssh.resolve("known_hosts"), server.knownHostsLine() + "\n");
            Object overSsh = plugin.loadClass("io.slipway.jenkins.SlipwayDeployStep").getConstructor(String.class, String.class, String.class)
                    .newInstance(server.url("gitops.git"), DEV_VALUES, host + "/acme-dev/svc:1.1@" + digest);
            overSsh.getClass().getMethod("setKeys", java.util.List.class).invoke(overSsh, java.util.List.of("image"));
            Object sshLogin = newInstance("io.slipway.jenkins.StepCredentials$GitLogin", "git", null,
                    Files.readString(ssh.resolve("id_ecdsa")), knownHosts.toString());
            Map<?, ?> pushed = (Map<?, ?>) act(newInstance("io.slipway.jenkins.SlipwayDeployStep$Deploy", overSsh, sshLogin,
                    "https://jenkins.example.com/job/app/2/", null, stepLog), workspace);
            assertThat(pushed.get("pushed")).isEqualTo(true);
        }
    }

    /** A build log implementing the TaskListener of the "core" loader. */
    private Object listener() throws Exception {
        PrintStream logger = new PrintStream(log, true, StandardCharsets.UTF_8);
        Class<?> type = core.loadClass("hudson.model.TaskListener");
        return Proxy.newProxyInstance(core, new Class<?>[] {type}, (proxy, method, args) -> switch (method.getName()) {
            case "getLogger" -> logger;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "build log";
            default -> throw new UnsupportedOperationException(method.getName());
        });
    }

    /** An instance of a plugin class made through its (package-private) constructor of that many parameters. */
    private Object newInstance(String className, Object... args) throws Exception {
        for (Constructor<?> c : plugin.loadClass(className).getDeclaredConstructors()) {
            if (c.getParameterCount() == args.length) {
                c.setAccessible(true);
                return c.newInstance(args);
            }
        }
        throw new AssertionError(className + " has no constructor of " + args.length + " parameters");
    }

    /** FileCallable.invoke(workspace, channel), as an agent runs the work; its failure thrown. */
    private Object act(Object work, Path workspace) throws Exception {
        Method invoke = core.loadClass("hudson.FilePath$FileCallable").getMethod("invoke", File.class,
                core.loadClass("hudson.remoting.VirtualChannel"));
        try {
            return invoke.invoke(work, workspace.toFile(), null);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    static void cli(String... args) {
        StringWriter out = new StringWriter();
        int code = Slipway.run(new PrintWriter(out, true), new PrintWriter(out, true), args);
        assertThat(code).as(String.join(" ", args) + "\n" + out).isZero();
    }
}
