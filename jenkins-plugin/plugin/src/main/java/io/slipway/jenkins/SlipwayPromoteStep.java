package io.slipway.jenkins;

import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import hudson.util.FormValidation;
import io.slipway.pipeline.ManagementApi;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.deploy.GitOpsTarget;
import io.slipway.pipeline.deploy.PromoteStep;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import jenkins.MasterToSlaveFileCallable;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
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
public final class SlipwayPromoteStep extends Step {
    private final String gitops;
    private final String from;
    private final String to;
    private String toNamespace;
    private String policyNamespace;
    private String chart;
    private String branch;
    private String gitCredentialsId;
    private String registry;
    private String credentialsId;

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

    public String getRegistry() {
        return registry;
    }

    @DataBoundSetter
    public void setRegistry(String registry) {
        this.registry = StepCredentials.blankToNull(registry);
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
        return new Execution(context, this);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final String gitops;
        private final String from;
        private final String to;
        private final String toNamespace;
        private final String policyNamespace;
        private final String chart;
        private final String branch;
        private final String gitCredentialsId;
        private final String registry;
        private final String credentialsId;

        Execution(StepContext context, SlipwayPromoteStep step) {
            super(context);
            this.gitops = step.gitops;
            this.from = step.from;
            this.to = step.to;
            this.toNamespace = step.toNamespace;
            this.policyNamespace = step.policyNamespace;
            this.chart = step.chart;
            this.branch = step.branch;
            this.gitCredentialsId = step.gitCredentialsId;
            this.registry = step.registry;
            this.credentialsId = step.credentialsId;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            String function = DescriptorImpl.FUNCTION;
            Map<String, Object> result;
            try {
                Failures.require(gitops, function, "gitops: the GitOps repository URL");
                Failures.require(from, function, "from: the values file of the source environment");
                Failures.require(to, function, "to: the values file of the target environment");
                StepCredentials credentials = StepCredentials.of(getContext());
                RegistryAccess access = credentials.registry(registry, credentialsId, function);
                StepCredentials.GitLogin login = credentials.git(gitCredentialsId, function);
                result = Agent.run(getContext().get(FilePath.class), new PromoteOnAgent(access.url(), access.user(),
                        access.secret(), gitops, branch, login, from, to, chart, toNamespace, policyNamespace,
                        new StepLog(getContext().get(TaskListener.class))));
            } catch (Exception e) {
                throw Failures.forLog(function, e);
            }
            if (!Boolean.TRUE.equals(result.get("promoted"))) {
                throw new AbortException(function + ": the image policy for " + result.get("policyNamespace") + " denies "
                        + result.get("source") + ": " + String.join("; ", castList(result.get("unmet"))));
            }
            return result;
        }

        @SuppressWarnings("unchecked")
        private static java.util.List<String> castList(Object o) {
            return (java.util.List<String>) o;
        }
    }

    static final class PromoteOnAgent extends MasterToSlaveFileCallable<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final String url;
        private final String user;
        private final String secret;
        private final String gitops;
        private final String branch;
        private final StepCredentials.GitLogin login;
        private final String from;
        private final String to;
        private final String chart;
        private final String toNamespace;
        private final String policyNamespace;
        private final StepLog log;

        PromoteOnAgent(String url, String user, String secret, String gitops, String branch, StepCredentials.GitLogin login,
                       String from, String to, String chart, String toNamespace, String policyNamespace, StepLog log) {
            this.url = url;
            this.user = user;
            this.secret = secret;
            this.gitops = gitops;
            this.branch = branch;
            this.login = login;
            this.from = from;
            this.to = to;
            this.chart = chart;
            this.toNamespace = toNamespace;
            this.policyNamespace = policyNamespace;
            this.log = log;
        }

        @Override
        public Map<String, Object> invoke(File workspace, VirtualChannel channel) throws IOException {
            PromoteStep.Input input = new PromoteStep.Input(new GitOpsTarget(gitops, branch, login.credentials()), from, to,
                    chart, toNamespace, policyNamespace, "image");
            PromoteStep.Result r = new PromoteStep(new ManagementApi(new RegistryAccess(url, user, secret)), log).run(input);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("promoted", r.promoted());
            result.put("source", r.source().toString());
            result.put("target", r.target().toString());
            result.put("policyNamespace", input.effectivePolicyNamespace());
            result.put("unmet", new ArrayList<>(r.verdict().unmet()));
            if (r.promoted()) {
                result.put("commit", r.update().commit());
                result.put("pushed", r.update().pushed());
            }
            return result;
        }
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends StepDescriptor {
        static final String FUNCTION = "slipwayPromote";

        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Promote the image of one environment to the next, if the image policy allows";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
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
