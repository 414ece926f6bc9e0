package io.slipway.jenkins;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.console.ConsoleLogFilter;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import hudson.util.Secret;
import io.slipway.pipeline.RegistryAccess;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code withSlipwayRegistry(url: …, credentialsId: …) { … }}: the registry for the Slipway steps of
 * the body, and for its {@code sh} steps a Docker config ({@code DOCKER_CONFIG}, read by docker,
 * podman, skopeo, helm and Jib) plus {@code SLIPWAY_REGISTRY} and {@code SLIPWAY_API_KEY} for the
 * {@code slipway} command. The secret is masked in the body's log, and the Docker config is removed
 * when the body ends, however it ends.
 */
public final class WithSlipwayRegistryStep extends Step {
    private final String url;
    private String credentialsId;

    @DataBoundConstructor
    public WithSlipwayRegistryStep(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = StepCredentials.blankToNull(credentialsId);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, url, credentialsId);
    }

    /**
     * Credentials, the Docker config and the body's start run off the CPS thread (they do I/O,
     * some of it on the agent), and so does the cleanup when the body ends.
     */
    static final class Execution extends GeneralNonBlockingStepExecution {
        private static final long serialVersionUID = 1L;

        private final String url;
        private final String credentialsId;

        Execution(StepContext context, String url, String credentialsId) {
            super(context);
            this.url = url;
            this.credentialsId = credentialsId;
        }

        @Override
        public boolean start() {
            run(this::begin);
            return false;
        }

        private void begin() throws Exception {
            StepContext context = getContext();
            String function = DescriptorImpl.FUNCTION;
            if (StepCredentials.blankToNull(url) == null) {
                throw new AbortException(function + " needs url: the registry, as http(s)://host:port");
            }
            RegistryAccess access = StepCredentials.of(context).registry(url, credentialsId, function);
            TaskListener listener = context.get(TaskListener.class);
            FilePath workspace = context.get(FilePath.class);
            String dockerConfig = null;
            List<String> secrets = new ArrayList<>();
            if (access.secret() != null) {
                secrets.add(access.secret());
                secrets.add(dockerAuth(access));
                if (workspace != null) {
                    dockerConfig = workspace.act(new WriteDockerConfig(access.host(), dockerAuth(access)));
                }
            }
            listener.getLogger().println("Slipway registry " + access.url()
                    + (access.user() == null ? " (anonymous)" : " as " + access.user())
                    + (dockerConfig == null ? "" : "; DOCKER_CONFIG=" + dockerConfig));
            String apiKey = RegistryAccess.API_KEY_USER.equals(access.user()) ? access.secret() : null;
            context.newBodyInvoker()
                    .withContexts(new RegistryBinding(access.url(), credentialsId),
                            EnvironmentExpander.merge(context.get(EnvironmentExpander.class),
                                    new RegistryEnvironment(access.url(), dockerConfig, apiKey)),
                            BodyInvoker.mergeConsoleLogFilters(context.get(ConsoleLogFilter.class), new SecretMask(secrets)))
                    .withCallback(new RemoveDockerConfig(dockerConfig))
                    .start();
        }

        /** When the body ends: the Docker config goes, and the body's outcome is the step's. */
        private final class RemoveDockerConfig extends TailCall {
            private static final long serialVersionUID = 1L;

            private final String dockerConfig;

            RemoveDockerConfig(String dockerConfig) {
                this.dockerConfig = dockerConfig;
            }

            @Override
            protected void finished(StepContext context) throws Exception {
                FilePath workspace = context.get(FilePath.class);
                if (dockerConfig != null && workspace != null) {
                    workspace.act(new DeleteFolder(dockerConfig));
                }
            }
        }

        /** {@code auth} of a Docker config: Base64 of {@code user:secret}. */
        private static String dockerAuth(RegistryAccess access) {
            return Base64.getEncoder().encodeToString((access.user() + ":" + access.secret()).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The variables the body's {@code sh} steps see. */
    static final class RegistryEnvironment extends EnvironmentExpander {
        private static final long serialVersionUID = 1L;
        static final String REGISTRY = "SLIPWAY_REGISTRY";
        static final String API_KEY = "SLIPWAY_API_KEY";
        static final String DOCKER_CONFIG = "DOCKER_CONFIG";

        private final String url;
        private final String dockerConfig;
        private final Secret apiKey;

        RegistryEnvironment(String url, String dockerConfig, String apiKey) {
            this.url = url;
            this.dockerConfig = dockerConfig;
            this.apiKey = apiKey == null ? null : Secret.fromString(apiKey);
        }

        @Override
        public void expand(EnvVars env) {
            env.put(REGISTRY, url);
            if (dockerConfig != null) {
                env.put(DOCKER_CONFIG, dockerConfig);
            }
            if (apiKey != null) {
                env.put(API_KEY, apiKey.getPlainText());
            }
        }

        @Override
        public Set<String> getSensitiveVariables() {
            return apiKey == null ? Set.of() : Set.of(API_KEY);
        }
    }

    /**
     * Writes {@code config.json} with the registry's {@code auths} entry into a new folder beside the
     * workspace ({@code <workspace>@tmp}, where Jenkins keeps a build's temporary files, never
     * archived), readable by the agent's user alone. Returns the folder.
     */
    static final class WriteDockerConfig extends AgentWork<String> {
        private static final long serialVersionUID = 1L;

        private final String host;
        private final String auth;

        WriteDockerConfig(String host, String auth) {
            super(DescriptorImpl.FUNCTION);
            this.host = host;
            this.auth = auth;
        }

        @Override
        String run(File workspace) throws IOException {
            Path tmp = Files.createDirectories(workspace.toPath().resolveSibling(workspace.getName() + "@tmp"));
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            Path dir = posix
                    ? Files.createTempDirectory(tmp, "slipway-docker", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                    : Files.createTempDirectory(tmp, "slipway-docker");
            ObjectMapper json = new ObjectMapper();
            ObjectNode config = json.createObjectNode();
            config.putObject("auths").putObject(host).put("auth", auth);
            Path file = dir.resolve("config.json");
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
            return dir.toString();
        }
    }

    static final class DeleteFolder extends AgentWork<Void> {
        private static final long serialVersionUID = 1L;

        private final String folder;

        DeleteFolder(String folder) {
            super(DescriptorImpl.FUNCTION);
            this.folder = folder;
        }

        @Override
        Void run(File workspace) throws IOException {
            Path dir = Path.of(folder);
            if (!Files.exists(dir)) {
                return null;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            return null;
        }
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends SlipwayStepDescriptor {
        static final String FUNCTION = "withSlipwayRegistry";

        public DescriptorImpl() {
            super(FUNCTION, "Use a Slipway registry (credentials, Docker config, masking) in a block",
                    Run.class, TaskListener.class);
        }

        @Override
        public boolean takesImplicitBlockArgument() {
            return true;
        }

        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsItems.of(item, credentialsId, CredentialsItems.REGISTRY);
        }

        public FormValidation doCheckUrl(@QueryParameter String value) {
            return Validation.registryUrl(value);
        }
    }
}
