package io.slipway.jenkins;

import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.slipway.gitops.UpdateResult;
import io.slipway.pipeline.deploy.DeployStep;
import io.slipway.pipeline.deploy.GitOpsTarget;
import java.io.File;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code slipwayDeploy(gitops: …, values: 'envs/dev/values.yaml', image: …)}: writes the image into
 * an environment's Helm values in the GitOps repository (comments and layout kept), renders the
 * chart to prove it deploys exactly that image, commits with the build's URL as a trailer and
 * pushes; ArgoCD does the rest. {@code keys: ['server.image']} names where the image goes (as
 * {@code slipway deploy --key}; by default marker comments, else the one image key whose repository
 * has the image's name), {@code images: ['worker=…']} adds more images to the same commit.
 * Returns a map: {@code pushed}, {@code commit}, {@code branch}, {@code attempts}.
 */
public final class SlipwayDeployStep extends Step implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String gitops;
    private final String values;
    private final String image;
    private String gitCredentialsId;
    private String branch;
    private String chart;
    private String message;
    private boolean pullRequest;
    private boolean renderCheck = true;
    private ArrayList<String> keys = new ArrayList<>();
    private ArrayList<String> images = new ArrayList<>();

    @DataBoundConstructor
    public SlipwayDeployStep(String gitops, String values, String image) {
        this.gitops = gitops;
        this.values = values;
        this.image = image;
    }

    public String getGitops() {
        return gitops;
    }

    public String getValues() {
        return values;
    }

    public String getImage() {
        return image;
    }

    public String getGitCredentialsId() {
        return gitCredentialsId;
    }

    @DataBoundSetter
    public void setGitCredentialsId(String gitCredentialsId) {
        this.gitCredentialsId = StepCredentials.blankToNull(gitCredentialsId);
    }

    public String getBranch() {
        return branch;
    }

    @DataBoundSetter
    public void setBranch(String branch) {
        this.branch = StepCredentials.blankToNull(branch);
    }

    public String getChart() {
        return chart;
    }

    @DataBoundSetter
    public void setChart(String chart) {
        this.chart = StepCredentials.blankToNull(chart);
    }

    public String getMessage() {
        return message;
    }

    @DataBoundSetter
    public void setMessage(String message) {
        this.message = StepCredentials.blankToNull(message);
    }

    public boolean isPullRequest() {
        return pullRequest;
    }

    @DataBoundSetter
    public void setPullRequest(boolean pullRequest) {
        this.pullRequest = pullRequest;
    }

    public boolean isRenderCheck() {
        return renderCheck;
    }

    @DataBoundSetter
    public void setRenderCheck(boolean renderCheck) {
        this.renderCheck = renderCheck;
    }

    public List<String> getKeys() {
        return keys;
    }

    /** Where the images go, each {@code [ALIAS:]PATH} or {@code [ALIAS:]ROLE=PATH}, as {@code slipway deploy --key}. */
    @DataBoundSetter
    public void setKeys(List<String> keys) {
        this.keys = keys == null ? new ArrayList<>() : new ArrayList<>(keys);
    }

    public List<String> getImages() {
        return images;
    }

    /** More images for the same commit, each {@code [ALIAS=]REF}. */
    @DataBoundSetter
    public void setImages(List<String> images) {
        this.images = images == null ? new ArrayList<>() : new ArrayList<>(images);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final SlipwayDeployStep step;

        Execution(StepContext context, SlipwayDeployStep step) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            String function = DescriptorImpl.FUNCTION;
            try {
                Failures.require(step.gitops, function, "gitops: the GitOps repository URL");
                Failures.require(step.values, function, "values: the values file of the environment");
                Failures.require(step.image, function, "image: the image to deploy");
                StepCredentials.GitLogin login = StepCredentials.of(getContext()).git(step.gitCredentialsId, function);
                EnvVars env = getContext().get(EnvVars.class);
                String buildUrl = env == null ? null : env.get("BUILD_URL", null);
                TaskListener listener = getContext().get(TaskListener.class);
                if (buildUrl == null || buildUrl.isBlank()) {
                    buildUrl = null;
                    listener.getLogger().println(function + ": the commit gets no Build-Url: trailer: BUILD_URL is not set "
                            + "(Jenkins has no root URL; set one under Manage Jenkins » System » Jenkins URL)");
                }
                String renderJar = env == null ? null : env.get(RenderTool.OVERRIDE, null);
                return Agent.run(getContext().get(FilePath.class), new Deploy(step, login, buildUrl, renderJar,
                        new StepLog(listener)));
            } catch (Exception e) {
                throw Failures.forLog(function, e);
            }
        }
    }

    /** The GitOps write, where the workspace is (the agent reaches the Git server; the controller may not). */
    static final class Deploy extends AgentWork<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final SlipwayDeployStep step;
        private final StepCredentials.GitLogin login;
        private final String buildUrl;
        private final String renderJar;

        Deploy(SlipwayDeployStep step, StepCredentials.GitLogin login, String buildUrl, String renderJar, StepLog log) {
            super(DescriptorImpl.FUNCTION, log);
            this.step = step;
            this.login = login;
            this.buildUrl = buildUrl;
            this.renderJar = renderJar;
        }

        @Override
        Map<String, Object> run(File workspace) throws Exception {
            DeployStep deploy = new DeployStep(log);
            if (step.renderCheck) {
                // Helm renders in a child JVM here, never in this (agent or controller) JVM
                deploy.renderIn(RenderTool.process(renderJar));
            }
            List<String> all = new ArrayList<>();
            all.add(step.image);
            all.addAll(step.images);
            try (StepCredentials.GitLogin.InUse git = login.use()) {
                GitOpsTarget target = new GitOpsTarget(step.gitops, step.branch, git.credentials());
                UpdateResult r = deploy.run(new DeployStep.Input(target, step.values, all, step.keys, step.chart,
                        step.message, buildUrl, step.pullRequest, step.renderCheck));
                return result(r);
            }
        }
    }

    static Map<String, Object> result(UpdateResult r) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("pushed", r.pushed());
        result.put("commit", r.commit());
        result.put("branch", r.branch());
        result.put("attempts", r.attempts());
        return result;
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends SlipwayStepDescriptor {
        static final String FUNCTION = "slipwayDeploy";

        public DescriptorImpl() {
            super(FUNCTION, "Deploy an image: write it into Helm values in the GitOps repository and push",
                    Run.class, TaskListener.class);
        }

        public ListBoxModel doFillGitCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String gitCredentialsId) {
            return CredentialsItems.of(item, gitCredentialsId, CredentialsItems.GIT);
        }

        public FormValidation doCheckGitops(@QueryParameter String value) {
            return Validation.required(value, "the GitOps repository URL");
        }

        public FormValidation doCheckValues(@QueryParameter String value) {
            return Validation.required(value, "the values file");
        }

        public FormValidation doCheckImage(@QueryParameter String value) {
            return Validation.pinnedImage(value);
        }
    }
}
