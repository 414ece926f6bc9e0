package io.slipway.jenkins;

import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.slipway.pipeline.ManagementClient;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.deploy.GitOpsTarget;
import io.slipway.pipeline.deploy.PromoteStep;
import java.io.File;
import java.io.IOException;
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
 * {@code slipwayPromote(gitops: …, from: 'envs/dev/values.yaml', to: 'envs/prod/values.yaml')}: the
 * image the source environment deploys (read from the repository, not remembered by the pipeline)
 * goes to the target environment if the registry's image policy for it allows; with
 * {@code toNamespace} the image is first copied into that registry namespace, server-side. A denial
 * fails the build with the requirements that are not met. Returns a map: {@code promoted},
 * {@code source}, {@code target}, {@code commit}.
 */
public final class SlipwayPromoteStep extends RegistryStep {
    private static final long serialVersionUID = 1L;

    private final String gitops;
    private final String from;
    private final String to;
    private String toNamespace;
    private String policyNamespace;
    private ArrayList<String> keys = new ArrayList<>();
    private String chart;
    private String branch;
    private String gitCredentialsId;

    @DataBoundConstructor
    public SlipwayPromoteStep(String gitops, String from, String to) {
        this.gitops = gitops;
        this.from = from;
        this.to = to;
    }

    public String getGitops() {
        return gitops;
    }

    public String getFrom() {
        return from;
    }

    public String getTo() {
        return to;
    }

    public String getToNamespace() {
        return toNamespace;
    }

    @DataBoundSetter
    public void setToNamespace(String toNamespace) {
        this.toNamespace = StepCredentials.blankToNull(toNamespace);
    }

    public List<String> getKeys() {
        return keys;
    }

    /** The image's keys in both values files, as {@code slipway promote --key}; empty to find them. */
    @DataBoundSetter
    public void setKeys(List<String> keys) {
        this.keys = keys == null ? new ArrayList<>() : new ArrayList<>(keys);
    }

    public String getPolicyNamespace() {
        return policyNamespace;
    }

    @DataBoundSetter
    public void setPolicyNamespace(String policyNamespace) {
        this.policyNamespace = StepCredentials.blankToNull(policyNamespace);
    }

    public String getChart() {
        return chart;
    }

    @DataBoundSetter
    public void setChart(String chart) {
        this.chart = StepCredentials.blankToNull(chart);
    }

    public String getBranch() {
        return branch;
    }

    @DataBoundSetter
    public void setBranch(String branch) {
        this.branch = StepCredentials.blankToNull(branch);
    }

    public String getGitCredentialsId() {
        return gitCredentialsId;
    }

    @DataBoundSetter
    public void setGitCredentialsId(String gitCredentialsId) {
        this.gitCredentialsId = StepCredentials.blankToNull(gitCredentialsId);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final SlipwayPromoteStep step;

        Execution(StepContext context, SlipwayPromoteStep step) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            String function = DescriptorImpl.FUNCTION;
            Map<String, Object> result;
            try {
                Failures.require(step.gitops, function, "gitops: the GitOps repository URL");
                Failures.require(step.from, function, "from: the values file of the source environment");
                Failures.require(step.to, function, "to: the values file of the target environment");
                StepCredentials credentials = StepCredentials.of(getContext());
                RegistryAccess access = credentials.registry(step.getRegistry(), step.getCredentialsId(), function);
                StepCredentials.GitLogin login = credentials.git(step.gitCredentialsId, function);
                result = Agent.run(getContext().get(FilePath.class), new Promote(step, new AgentWork.RegistryLogin(access),
                        login, new StepLog(getContext().get(TaskListener.class))));
            } catch (Exception e) {
                throw Failures.forLog(function, e);
            }
            if (!Boolean.TRUE.equals(result.get("promoted"))) {
                throw new AbortException(function + ": the image policy for " + result.get("policyNamespace") + " denies "
                        + result.get("source") + ": " + result.get("unmet"));
            }
            return result;
        }
    }

    /** The policy check, the copy and the GitOps write, where the workspace is. */
    static final class Promote extends AgentWork<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final SlipwayPromoteStep step;
        private final RegistryLogin registry;
        private final StepCredentials.GitLogin git;

        Promote(SlipwayPromoteStep step, RegistryLogin registry, StepCredentials.GitLogin git, StepLog log) {
            super(DescriptorImpl.FUNCTION, log);
            this.step = step;
            this.registry = registry;
            this.git = git;
        }

        @Override
        Map<String, Object> run(File workspace) throws IOException {
            PromoteStep.Input input;
            PromoteStep.Result r;
            try (StepCredentials.GitLogin.InUse login = git.use()) {
                input = new PromoteStep.Input(new GitOpsTarget(step.gitops, step.branch, login.credentials()),
                        step.from, step.to, step.chart, step.toNamespace, step.policyNamespace, step.keys);
                r = new PromoteStep(new ManagementClient(registry.access()), log).run(input);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("promoted", r.promoted());
            result.put("source", r.source().toString());
            result.put("target", r.target().toString());
            result.put("policyNamespace", input.effectivePolicyNamespace());
            // the requirements not met, as the registry words them
            result.put("unmet", String.join("; ", r.verdict().unmet()));
            if (r.promoted()) {
                result.put("commit", r.update().commit());
                result.put("pushed", r.update().pushed());
            }
            return result;
        }
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends SlipwayStepDescriptor {
        static final String FUNCTION = "slipwayPromote";

        public DescriptorImpl() {
            super(FUNCTION, "Promote the image of one environment to the next, if the image policy allows",
                    Run.class, TaskListener.class);
        }

        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsItems.of(item, credentialsId, CredentialsItems.REGISTRY);
        }

        public ListBoxModel doFillGitCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String gitCredentialsId) {
            return CredentialsItems.of(item, gitCredentialsId, CredentialsItems.GIT);
        }

        public FormValidation doCheckGitops(@QueryParameter String value) {
            return Validation.required(value, "the GitOps repository URL");
        }

        public FormValidation doCheckFrom(@QueryParameter String value) {
            return Validation.required(value, "the source environment's values file");
        }

        public FormValidation doCheckTo(@QueryParameter String value) {
            return Validation.required(value, "the target environment's values file");
        }

        public FormValidation doCheckRegistry(@QueryParameter String value) {
            return Validation.optionalRegistryUrl(value);
        }
    }
}
