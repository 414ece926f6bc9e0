package io.slipway.pipeline.gate;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.ProgressListener;
import io.slipway.oci.vulnerability.Criteria;
import io.slipway.oci.vulnerability.ScanReport;
import io.slipway.oci.vulnerability.Severity;
import io.slipway.oci.vulnerability.Verdict;
import io.slipway.oci.vulnerability.VulnerabilityJudge;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The quality gate: waits for the Vulnerability Advisor to finish with the image against the advisory
 * database in use, then asks the judge every other judge asks ({@link VulnerabilityJudge}): it fails
 * when a vulnerability at or above the threshold (or of unknown severity) is not exempted, when the
 * scan failed or cannot be done, when the operating system could not be assessed (unless allowed),
 * and when the report cannot be read.
 */
public final class GateStep {
    /**
     * The gate's inputs.
     *
     * @param includeConfiguration also judge the configuration issues (running as root, secrets in
     *                             the environment, …), not only the vulnerabilities
     * @param allowUnassessed      pass an image whose operating system packages could not be assessed
     *                             on its other findings, instead of failing it
     */
    public record Input(PinnedImage image, Severity threshold, Duration timeout, Duration interval,
                        boolean includeConfiguration, boolean allowUnassessed) {
        public Input(PinnedImage image, Severity threshold, Duration timeout, Duration interval) {
            this(image, threshold, timeout, interval, false, false);
        }

        public Input(PinnedImage image, Severity threshold, Duration timeout, Duration interval,
                     boolean includeConfiguration) {
            this(image, threshold, timeout, interval, includeConfiguration, false);
        }

        public Criteria criteria() {
            return new Criteria(threshold, includeConfiguration, allowUnassessed);
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

    /** Where the gate reads reports from: the registry's management API, or a stand-in in tests. */
    @FunctionalInterface
    public interface ReportSource {
        JsonNode report(PinnedImage image) throws IOException;
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
        Verdict verdict = VulnerabilityJudge.judge(report, input.criteria());
        while (verdict.pending()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timeout(input, report.path("status").asText("unknown"));
            }
            progress.line("waiting for the Vulnerability Advisor: " + report.path("status").asText("Scanning")
                    + (verdict.reason() == null ? "" : " (" + verdict.reason() + ")"));
            Thread.sleep(Math.min(input.interval().toMillis(), Math.max(1, left / 1_000_000)));
            report = reports.report(input.image());
            verdict = VulnerabilityJudge.judge(report, input.criteria());
        }
        return result(report, verdict, input.includeConfiguration());
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
        Verdict verdict = VulnerabilityJudge.judge(report, input.criteria());
        if (verdict.pending()) {
            return new Look(status, null);
        }
        return new Look(status, result(report, verdict, input.includeConfiguration()));
    }

    /** What a caller that gave up waiting reports. */
    public static GateTimeoutException timeout(Input input, String lastStatus) {
        return new GateTimeoutException("the Vulnerability Advisor had not finished with " + input.image()
                + " after " + input.timeout() + " (status " + (lastStatus == null ? "unknown" : lastStatus) + ")");
    }

    /** The verdict with the findings a person wants to see beside it. */
    private static GateResult result(JsonNode report, Verdict verdict, boolean includeConfiguration) {
        List<ScanReport.Finding> all = new ArrayList<>();
        try {
            for (ScanReport.Finding f : ScanReport.fromJson(report).findings()) {
                if (f.vulnerability() || includeConfiguration) {
                    all.add(f);
                }
            }
        } catch (ScanReport.UnreadableReportException e) {
            // The verdict already says what was unreadable; there is no list to show.
        }
        return new GateResult(verdict.passed(), report.path("status").asText(""), verdict.blocking(), all,
                verdict.reason());
    }
}
