package io.slipway.jenkins;

import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.slipway.oci.files.WorkspacePaths;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.build.BuildFile;
import io.slipway.pipeline.build.BuildFileParser;
import io.slipway.pipeline.build.BuildStep;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code slipwayBuild(image: 'ns/repo:tag', buildFile: 'jib.yaml', tags: […])}: builds with Jib on
 * the agent that holds the workspace (no Docker daemon) and pushes to the registry. Returns a map:
 * {@code digest}, {@code image} ({@code ns/repo@sha256:…}), {@code reference}
 * ({@code host/ns/repo@sha256:…}, what the gate and signing take), {@code url}
 * ({@code host/ns/repo:tag}), {@code pinned} ({@code host/ns/repo:tag@sha256:…}, what a deploy writes:
 * the tag for people, the digest for the cluster) and {@code tags}.
 */
public final class SlipwayBuildStep extends RegistryStep {
    private static final long serialVersionUID = 1L;

    private final String image;
    private String buildFile = DescriptorImpl.DEFAULT_BUILD_FILE;
    private ArrayList<String> tags = new ArrayList<>();
    private String cache;

    @DataBoundConstructor
    public SlipwayBuildStep(String image) {
        this.image = image;
    }

    public String getImage() {
        return image;
    }

    public String getBuildFile() {
        return buildFile;
    }

    @DataBoundSetter
    public void setBuildFile(String buildFile) {
        this.buildFile = StepCredentials.blankToNull(buildFile) == null ? DescriptorImpl.DEFAULT_BUILD_FILE : buildFile.trim();
    }

    public List<String> getTags() {
        return tags;
    }

    @DataBoundSetter
    public void setTags(List<String> tags) {
        this.tags = tags == null ? new ArrayList<>() : new ArrayList<>(tags);
    }

    public String getCache() {
        return cache;
    }

    @DataBoundSetter
    public void setCache(String cache) {
        this.cache = StepCredentials.blankToNull(cache);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final SlipwayBuildStep step;

        Execution(StepContext context, SlipwayBuildStep step) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            try {
                RegistryAccess access = StepCredentials.of(getContext())
                        .registry(step.getRegistry(), step.getCredentialsId(), DescriptorImpl.FUNCTION);
                FilePath workspace = getContext().get(FilePath.class);
                return workspace.act(new Build(step, new AgentWork.RegistryLogin(access),
                        new StepLog(getContext().get(TaskListener.class))));
            } catch (Exception e) {
                throw Failures.forLog(DescriptorImpl.FUNCTION, e);
            }
        }
    }

    /** The build, where the workspace is. */
    static final class Build extends AgentWork<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final SlipwayBuildStep step;
        private final RegistryLogin login;

        Build(SlipwayBuildStep step, RegistryLogin login, StepLog log) {
            super(DescriptorImpl.FUNCTION, log);
            this.step = step;
            this.login = login;
        }

        @Override
        Map<String, Object> run(File workspace) throws IOException, InterruptedException {
            Path root = workspace.toPath().toAbsolutePath().normalize();
            // By real path (WorkspacePaths, as every step's files): a link out of the workspace is refused.
            Path file;
            Path cacheDir;
            try {
                file = WorkspacePaths.resolve(root, step.buildFile, "buildFile");
                cacheDir = step.cache != null ? WorkspacePaths.resolve(root, step.cache, "cache")
                        : root.resolveSibling(root.getFileName() + "@tmp").resolve("slipway-jib-cache");
            } catch (WorkspacePaths.OutsideWorkspaceException e) {
                throw new AbortException(DescriptorImpl.FUNCTION + ": " + e.getMessage());
            }
            if (!Files.isRegularFile(file)) {
                throw new AbortException(DescriptorImpl.FUNCTION + ": no build file " + step.buildFile + " in the workspace");
            }
            BuildFile parsed = new BuildFileParser().parse(file);
            RegistryAccess access = login.access();
            BuildStep.Result r = new BuildStep(access, log).run(new BuildStep.Input(parsed, step.image, step.tags, cacheDir, root));
            Map<String, Object> result = new LinkedHashMap<>();
            String url = access.host() + "/" + r.image().repository() + ":" + r.tags().iterator().next();
            result.put("digest", r.image().digest().toString());
            result.put("image", r.image().toString());
            result.put("reference", r.reference(access.host()));
            result.put("url", url);
            result.put("pinned", url + "@" + r.image().digest());
            result.put("tags", new ArrayList<>(r.tags()));
            return result;
        }
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends SlipwayStepDescriptor {
        static final String FUNCTION = "slipwayBuild";
        static final String DEFAULT_BUILD_FILE = "jib.yaml";

        public DescriptorImpl() {
            super(FUNCTION, "Build an image with Jib and push it to the Slipway registry",
                    Run.class, FilePath.class, TaskListener.class);
        }

        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsItems.of(item, credentialsId, CredentialsItems.REGISTRY);
        }

        public FormValidation doCheckImage(@QueryParameter String value) {
            return Validation.buildTarget(value);
        }

        public FormValidation doCheckRegistry(@QueryParameter String value) {
            return Validation.optionalRegistryUrl(value);
        }
    }
}
