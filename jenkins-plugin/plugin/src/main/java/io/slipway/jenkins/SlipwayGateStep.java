package io.slipway.jenkins;

import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.slipway.pipeline.Durations;
import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.ProgressListener;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.gate.GateResult;
import io.slipway.pipeline.gate.GateStep;
import io.slipway.pipeline.gate.VulnerabilityReports;
import io.slipway.oci.vulnerability.Severity;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code slipwayGate(image: …, severity: 'high', timeout: '10m')}: the Vulnerability Advisor as a
 * quality gate. It waits for the registry's scan of the image, then fails the build when a finding
 * at or above the severity is not exempted (the findings are printed as a table with their fixed
 * versions), when the scan failed, or when the image's operating system could not be assessed
 * (unless {@code allowUnassessed: true}). Returns a map: {@code passed}, {@code status},
 * {@code findings}.
 *
 * <p>The wait holds no thread: each look at the report is a scheduled task, and the execution's
 * state (the image, the deadline as wall-clock time) is saved with the build, so after a controller
 * restart {@link Execution#onResume} simply looks again, with the deadline it had.
 */
public final class SlipwayGateStep extends RegistryStep {
    private static final long serialVersionUID = 1L;

    private final String image;
    private String severity = "high";
    private String timeout = "10m";
    private String interval = "5s";
    private boolean includeConfiguration;
    private boolean allowUnassessed;

    @DataBoundConstructor
    public SlipwayGateStep(String image) {
        this.image = image;
    }

    public String getImage() {
        return image;
    }

    public String getSeverity() {
        return severity;
    }

    @DataBoundSetter
    public void setSeverity(String severity) {
        this.severity = StepCredentials.blankToNull(severity) == null ? "high" : severity.trim();
    }

    public String getTimeout() {
        return timeout;
    }

    @DataBoundSetter
    public void setTimeout(String timeout) {
        this.timeout = StepCredentials.blankToNull(timeout) == null ? "10m" : timeout.trim();
    }

    public String getInterval() {
        return interval;
    }

    @DataBoundSetter
    public void setInterval(String interval) {
        this.interval = StepCredentials.blankToNull(interval) == null ? "5s" : interval.trim();
    }

    public boolean isIncludeConfiguration() {
        return includeConfiguration;
    }

    @DataBoundSetter
    public void setIncludeConfiguration(boolean includeConfiguration) {
        this.includeConfiguration = includeConfiguration;
    }

    public boolean isAllowUnassessed() {
        return allowUnassessed;
    }

    @DataBoundSetter
    public void setAllowUnassessed(boolean allowUnassessed) {
        this.allowUnassessed = allowUnassessed;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        input(); // bad input fails now, before anything is scheduled
        return new Execution(context, this);
    }

    /** The gate's inputs, parsed. */
    GateStep.Input input() throws AbortException {
        try {
            return new GateStep.Input(PinnedImage.parse(image), Severity.threshold(severity), Durations.parse(timeout),
                    Durations.parse(interval), includeConfiguration, allowUnassessed);
        } catch (IllegalArgumentException e) {
            throw new AbortException(DescriptorImpl.FUNCTION + ": " + e.getMessage());
        }
    }

    /** Reads the reports the agent sends back as text; one for every look of every gate. */
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Looks are scheduled here; a handful of threads serve every waiting gate of the controller. */
    private static final ScheduledExecutorService LOOKS = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "Slipway gate");
        t.setDaemon(true);
        return t;
    });

    static final class Execution extends StepExecution {
        private static final long serialVersionUID = 1L;

        private final SlipwayGateStep step;
        /** Wall-clock time, so that it means the same after a restart. */
        private long deadline;
        private String lastStatus;
        private transient volatile Future<?> next;
        private transient volatile boolean done;
        /** Looked up once per start or resume, not at every look (each lookup is tracked against the build). */
        private transient RegistryAccess access;

        Execution(StepContext context, SlipwayGateStep step) {
            super(context);
            this.step = step;
        }

        @Override
        public boolean start() throws Exception {
            GateStep.Input input = step.input();
            deadline = System.currentTimeMillis() + input.timeout().toMillis();
            log("waiting for the Vulnerability Advisor's verdict on " + input.image() + " (threshold "
                    + input.threshold().lowerCase() + ", up to " + step.timeout + ")");
            schedule(0);
            return false;
        }

        @Override
        public void onResume() {
            log("Jenkins restarted while the gate waited for " + step.image + "; looking again");
            schedule(0);
        }

        @Override
        public void stop(Throwable cause) throws Exception {
            done = true;
            Future<?> f = next;
            if (f != null) {
                f.cancel(true);
            }
            getContext().onFailure(cause);
        }

        @Override
        public String getStatus() {
            return "waiting for the Vulnerability Advisor on " + step.image + (lastStatus == null ? "" : ": " + lastStatus);
        }

        private void schedule(long delayMillis) {
            if (!done) {
                next = LOOKS.schedule(this::look, delayMillis, TimeUnit.MILLISECONDS);
            }
        }

        /** One look at the report; then finish, or schedule the next look. */
        private void look() {
            if (done) {
                return;
            }
            String function = DescriptorImpl.FUNCTION;
            try {
                GateStep.Input input = step.input();
                long interval = Math.max(1, input.interval().toMillis());
                StepContext context = getContext();
                if (access == null) {
                    access = StepCredentials.of(context).registry(step.getRegistry(), step.getCredentialsId(), function);
                }
                String report;
                try {
                    report = Agent.run(context.get(FilePath.class), new ReadReport(new AgentWork.RegistryLogin(access), input.image()));
                } catch (IOException e) {
                    // a registry restarting, or an agent not yet back after a controller restart, is no
                    // reason to fail a build that may still wait; a refusal or a bug is
                    boolean transientTrouble = !(e instanceof AbortException || e instanceof Failures.AgentFailure);
                    if (transientTrouble && System.currentTimeMillis() < deadline) {
                        log(e.getMessage() + "; looking again");
                        schedule(Math.min(interval, Math.max(1, deadline - System.currentTimeMillis())));
                        return;
                    }
                    throw e;
                }
                GateStep gate = new GateStep(i -> JSON.readTree(report), ProgressListener.NONE);
                GateStep.Look look = gate.look(input);
                if (!look.finished()) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        throw GateStep.timeout(input, look.status());
                    }
                    if (!Objects.equals(look.status(), lastStatus)) {
                        log("waiting for the Vulnerability Advisor: " + look.status());
                    }
                    lastStatus = look.status();
                    schedule(Math.min(interval, left));
                    return;
                }
                finish(input, look.verdict());
            } catch (Exception e) {
                if (!done) { // not after stop(), which reported the outcome already
                    fail(Failures.forLog(function, e));
                }
            }
        }

        private void finish(GateStep.Input input, GateResult result) throws IOException, InterruptedException {
            String table = result.table();
            if (!table.isEmpty()) {
                getContext().get(TaskListener.class).getLogger().print(table);
            }
            if (!result.passed()) {
                fail(new AbortException(result.failure(input.image(), input.threshold())));
                return;
            }
            log(result.success(input.image(), input.threshold()));
            done = true;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("passed", true);
            out.put("status", result.status());
            out.put("findings", result.all().size());
            getContext().onSuccess(out);
        }

        private void fail(Throwable t) {
            done = true;
            getContext().onFailure(t);
        }

        private void log(String line) {
            try {
                getContext().get(TaskListener.class).getLogger().println(line);
            } catch (IOException | InterruptedException e) {
                // the log is gone with the build; the outcome still reaches the context
            }
        }
    }

    /** Reads the report where the workspace is (the agent reaches the registry; the controller may not). */
    static final class ReadReport extends AgentWork<String> {
        private static final long serialVersionUID = 1L;

        private final RegistryLogin login;
        private final String image;

        ReadReport(RegistryLogin login, PinnedImage image) {
            super(DescriptorImpl.FUNCTION);
            this.login = login;
            this.image = image.toString();
        }

        @Override
        String run(File workspace) throws IOException {
            return new VulnerabilityReports(login.access()).report(PinnedImage.parse(image)).toString();
        }
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends SlipwayStepDescriptor {
        static final String FUNCTION = "slipwayGate";

        public DescriptorImpl() {
            super(FUNCTION, "Wait for the Vulnerability Advisor and fail on findings at or above a severity",
                    Run.class, TaskListener.class);
        }

        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsItems.of(item, credentialsId, CredentialsItems.REGISTRY);
        }

        public FormValidation doCheckImage(@QueryParameter String value) {
            return Validation.pinnedImage(value);
        }

        public FormValidation doCheckSeverity(@QueryParameter String value) {
            return Validation.severity(value);
        }

        public FormValidation doCheckTimeout(@QueryParameter String value) {
            return Validation.duration(value);
        }

        public FormValidation doCheckInterval(@QueryParameter String value) {
            return Validation.duration(value);
        }

        public FormValidation doCheckRegistry(@QueryParameter String value) {
            return Validation.optionalRegistryUrl(value);
        }
    }
}
