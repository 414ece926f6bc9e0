package io.slipway.jenkins;

import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import hudson.util.FormValidation;
import io.slipway.oci.client.RegistryUnreachableException;
import io.slipway.pipeline.Durations;
import io.slipway.pipeline.ImageInput;
import io.slipway.pipeline.ProgressListener;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.gate.GateResult;
import io.slipway.pipeline.gate.GateStep;
import io.slipway.pipeline.gate.VulnerabilityReports;
import io.slipway.trust.policy.InvalidPolicyException;
import io.slipway.trust.policy.Severity;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jenkins.MasterToSlaveFileCallable;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code slipwayGate(image: …, severity: 'high', timeout: '10m')}: the Vulnerability Advisor as a
 * quality gate. It waits for the registry's scan of the image, then fails the build when a finding
 * at or above the severity is not exempted (the findings are printed as a table with their fixed
 * versions), or when the scan failed. Returns a map: {@code passed}, {@code status},
 * {@code findings}.
 *
 * <p>The wait holds no thread: each look at the report is a scheduled task, and the execution's
 * state (the image, the deadline as wall-clock time) is saved with the build, so after a controller
 * restart {@link Execution#onResume} simply looks again, with the deadline it had.
 */
public final class SlipwayGateStep extends Step {
    private final String image;
    private String severity = "high";
    private String timeout = "10m";
    private String interval = "5s";
    private boolean includeConfiguration;
    private String registry;
    private String credentialsId;

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
    public StepExecution start(StepContext context) throws Exception {
        // bad input fails now, before anything is scheduled
        try {
            return new Execution(context, ImageInput.parse(image).toString(), Severity.parse(severity),
                    Durations.parse(timeout), Durations.parse(interval), includeConfiguration, registry, credentialsId);
        } catch (IllegalArgumentException | InvalidPolicyException e) {
            throw new AbortException(DescriptorImpl.FUNCTION + ": " + e.getMessage());
        }
    }

    /** Looks are scheduled here; a handful of threads serve every waiting gate of the controller. */
    private static final ScheduledExecutorService LOOKS = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "Slipway gate");
        t.setDaemon(true);
        return t;
    });

    static final class Execution extends StepExecution {
        private static final long serialVersionUID = 1L;

        private final String image;
        private final Severity severity;
        private final long timeoutMillis;
        private final long intervalMillis;
        private final boolean includeConfiguration;
        private final String registry;
        private final String credentialsId;
        /** Wall-clock time, so that it means the same after a restart. */
        private long deadline;
        private String lastStatus;
        private transient volatile Future<?> next;
        private transient volatile boolean done;

        Execution(StepContext context, String image, Severity severity, Duration timeout, Duration interval,
                  boolean includeConfiguration, String registry, String credentialsId) {
            super(context);
            this.image = image;
            this.severity = severity;
            this.timeoutMillis = timeout.toMillis();
            this.intervalMillis = Math.max(1, interval.toMillis());
            this.includeConfiguration = includeConfiguration;
            this.registry = registry;
            this.credentialsId = credentialsId;
        }

        @Override
        public boolean start() throws Exception {
            deadline = System.currentTimeMillis() + timeoutMillis;
            log("waiting for the Vulnerability Advisor's verdict on " + image + " (threshold " + severity.lowerCase()
                    + ", up to " + Duration.ofMillis(timeoutMillis) + ")");
            schedule(0);
            return false;
        }

        @Override
        public void onResume() {
            log("Jenkins restarted while the gate waited for " + image + "; looking again");
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
            return "waiting for the Vulnerability Advisor on " + image + (lastStatus == null ? "" : ": " + lastStatus);
        }

        private void schedule(long delayMillis) {
            if (!done) {
                next = LOOKS.schedule(this::look, delayMillis, TimeUnit.MILLISECONDS);
            }
        }

        private GateStep.Input input() {
            return new GateStep.Input(ImageInput.parse(image), severity, Duration.ofMillis(timeoutMillis),
                    Duration.ofMillis(intervalMillis), includeConfiguration);
        }

        /** One look at the report; then finish, or schedule the next look. */
        private void look() {
            if (done) {
                return;
            }
            String function = DescriptorImpl.FUNCTION;
            try {
                StepContext context = getContext();
                RegistryAccess access = StepCredentials.of(context).registry(registry, credentialsId, function);
                String report;
                try {
                    report = Agent.run(context.get(FilePath.class),
                            new ReadReport(access.url(), access.user(), access.secret(), image));
                } catch (RegistryUnreachableException e) {
                    // a registry restarting is no reason to fail a build that may still wait
                    if (System.currentTimeMillis() < deadline) {
                        log("registry unreachable (" + e.getMessage() + "); looking again");
                        schedule(Math.min(intervalMillis, Math.max(1, deadline - System.currentTimeMillis())));
                        return;
                    }
                    throw e;
                }
                GateStep gate = new GateStep(i -> new ObjectMapper().readTree(report), ProgressListener.NONE);
                GateStep.Look look = gate.look(input());
                if (!look.finished()) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        throw GateStep.timeout(input(), look.status());
                    }
                    if (!Objects.equals(look.status(), lastStatus)) {
                        log("waiting for the Vulnerability Advisor: " + look.status());
                    }
                    lastStatus = look.status();
                    schedule(Math.min(intervalMillis, left));
                    return;
                }
                finish(look.verdict());
            } catch (Exception e) {
                fail(Failures.forLog(function, e));
            }
        }

        private void finish(GateResult result) throws IOException, InterruptedException {
            ImageInput in = ImageInput.parse(image);
            String table = result.table();
            if (!table.isEmpty()) {
                getContext().get(TaskListener.class).getLogger().print(table);
            }
            if (!result.passed()) {
                fail(new AbortException(result.failure(in, severity)));
                return;
            }
            log(result.success(in, severity));
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
    static final class ReadReport extends MasterToSlaveFileCallable<String> {
        private static final long serialVersionUID = 1L;

        private final String url;
        private final String user;
        private final String secret;
        private final String image;

        ReadReport(String url, String user, String secret, String image) {
            this.url = url;
            this.user = user;
            this.secret = secret;
            this.image = image;
        }

        @Override
        public String invoke(File workspace, VirtualChannel channel) throws IOException {
            return new VulnerabilityReports(new RegistryAccess(url, user, secret)).report(ImageInput.parse(image)).toString();
        }
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends StepDescriptor {
        static final String FUNCTION = "slipwayGate";

        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Wait for the Vulnerability Advisor and fail on findings at or above a severity";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
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
