package io.slipway.pipeline.gate;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.pipeline.ImageInput;
import io.slipway.pipeline.ProgressListener;
import io.slipway.trust.policy.Severity;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The quality gate: waits for the Vulnerability Advisor to finish with the image, then fails when a
 * vulnerability at or above the threshold is not exempted. A scan that failed fails the gate too:
 * an image nobody could look into (failed or unsupported scan) is not known to be safe.
 */
public final class GateStep {
    /**
     * The gate's inputs.
     *
     * @param includeConfiguration also judge the configuration issues (running as root, secrets in
     *                             the environment, …), not only the vulnerabilities
     */
    public record Input(ImageInput image, Severity threshold, Duration timeout, Duration interval,
                        boolean includeConfiguration) {
        public Input(ImageInput image, Severity threshold, Duration timeout, Duration interval) {
            this(image, threshold, timeout, interval, false);
        }

        public Input {
            if (image == null || threshold == null) {
                throw new IllegalArgumentException("gate needs an image and a severity threshold");
            }
            if (timeout == null || timeout.isNegative() || interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("gate timeout and interval must be positive");
            }
        }
    }

    private static final Set<String> PENDING = Set.of("QUEUED", "SCANNING");

    /** Where the gate reads reports from: the registry's management API, or a stand-in in tests. */
    @FunctionalInterface
    public interface ReportSource {
        JsonNode report(ImageInput image) throws IOException;
    }

    private final ReportSource reports;
    private final ProgressListener progress;

    public GateStep(ReportSource reports, ProgressListener progress) {
        this.reports = reports;
        this.progress = progress;
    }

    public GateResult run(Input input) throws IOException, GateTimeoutException, InterruptedException {
        long deadline = System.nanoTime() + input.timeout().toNanos();
        JsonNode report = reports.report(input.image());
        while (pending(report)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timeout(input, report.path("status").asText("unknown"));
            }
            progress.line("waiting for the Vulnerability Advisor: " + report.path("status").asText("Scanning"));
            Thread.sleep(Math.min(input.interval().toMillis(), Math.max(1, left / 1_000_000)));
            report = reports.report(input.image());
        }
        return judge(report, input.threshold(), input.includeConfiguration());
    }

    /**
     * One look at the report.
     *
     * @param status  the registry's security status text at that moment
     * @param verdict the gate's verdict, or null while the scan is not finished
     */
    public record Look(String status, GateResult verdict) {
        public boolean finished() {
            return verdict != null;
        }
    }

    /**
     * Looks once, for callers that wait between looks without holding a thread (the Jenkins gate
     * schedules its looks and survives a controller restart in between).
     */
    public Look look(Input input) throws IOException {
        JsonNode report = reports.report(input.image());
        String status = report.path("status").asText("Scanning");
        if (pending(report)) {
            return new Look(status, null);
        }
        return new Look(status, judge(report, input.threshold(), input.includeConfiguration()));
    }

    /** What a caller that gave up waiting reports. */
    public static GateTimeoutException timeout(Input input, String lastStatus) {
        return new GateTimeoutException("the Vulnerability Advisor had not finished with " + input.image()
                + " after " + input.timeout() + " (status " + (lastStatus == null ? "unknown" : lastStatus) + ")");
    }

    /** No state yet means the scan was not even queued when the report was read. */
    private static boolean pending(JsonNode report) {
        String state = report.path("state").asText("");
        String status = report.path("status").asText("");
        return state.isEmpty() ? !"Unsupported".equals(status) : PENDING.contains(state);
    }

    static GateResult judge(JsonNode report, Severity threshold, boolean includeConfiguration) {
        String status = report.path("status").asText("");
        List<Finding> all = new ArrayList<>();
        List<Finding> blocking = new ArrayList<>();
        List<JsonNode> issues = new ArrayList<>();
        report.path("vulnerabilities").forEach(issues::add);
        if (includeConfiguration) {
            report.path("configuration").forEach(issues::add);
        }
        for (JsonNode v : issues) {
            Finding f = new Finding(v.path("id").asText(), v.path("severity").asText("UNKNOWN"),
                    v.path("package").asText(null), v.path("installed").asText(null), v.path("fixed").asText(null),
                    v.path("exempt").asBoolean(false));
            all.add(f);
            if (!f.exempt() && reaches(f.severity(), threshold)) {
                blocking.add(f);
            }
        }
        String state = report.path("state").asText("");
        if ("FAILED".equals(state)) {
            return new GateResult(false, status, blocking, all,
                    "the scan failed: " + report.path("error").asText("no reason given"));
        }
        if ("UNSUPPORTED".equals(state) || (state.isEmpty() && "Unsupported".equals(status))) {
            return new GateResult(false, status, blocking, all, "the Vulnerability Advisor cannot scan this artifact");
        }
        return new GateResult(blocking.isEmpty(), status, blocking, all, null);
    }

    /** A severity the gate does not know blocks only at the lowest threshold: it was not rated. */
    private static boolean reaches(String severity, Severity threshold) {
        try {
            return Severity.valueOf(severity.toUpperCase(Locale.ROOT)).reaches(threshold);
        } catch (IllegalArgumentException e) {
            return threshold == Severity.LOW;
        }
    }
}
