package io.slipway.pipeline.gate;

import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.TextTable;
import io.slipway.oci.vulnerability.ScanReport.Finding;
import io.slipway.oci.vulnerability.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The gate's verdict.
 *
 * @param passed   no finding at or above the threshold is left unexempted
 * @param status   the registry's security status text ("No Issues", "1 Issue", …)
 * @param blocking the findings that fail the gate
 * @param all      every vulnerability of the report, exempt ones included
 * @param reason   why the gate failed beside the findings (a failed scan, an image not assessed, a
 *                 report that cannot be read), else null
 */
public record GateResult(boolean passed, String status, List<Finding> blocking, List<Finding> all, String reason) {

    /** Every finding with its fix and what the gate made of it; empty when there are none. */
    public String table() {
        if (all.isEmpty()) {
            return "";
        }
        List<List<String>> rows = new ArrayList<>();
        for (Finding f : all) {
            rows.add(List.of(f.id(), Objects.toString(f.severity(), ""), Objects.toString(f.pkg(), ""), Objects.toString(f.installed(), ""),
                    Objects.toString(f.fixed(), ""), f.exempt() ? "exempt" : blocking.contains(f) ? "BLOCKS" : "below threshold"));
        }
        return TextTable.render(List.of("ID", "SEVERITY", "PACKAGE", "INSTALLED", "FIXED", "VERDICT"), rows);
    }

    /** One line saying why the gate failed, naming the blocking findings. */
    public String failure(PinnedImage image, Severity threshold) {
        List<String> ids = blocking.stream().map(f -> f.id() + " (" + f.severity() + ")").toList();
        String findings = ids.isEmpty() ? "" : ids.size() + " finding(s) at or above " + threshold.lowerCase() + ": "
                + String.join(", ", ids);
        if (reason != null) {
            return "gate failed for " + image + ": " + reason + (findings.isEmpty() ? "" : "; " + findings);
        }
        return "gate failed for " + image + ": " + findings;
    }

    /**
     * One line saying the gate passed, and what it judged. The registry's status counts every issue
     * of the report, configuration issues too, which the gate judges only when asked: a status of
     * "1 Issue" beside 0 findings judged is said, not left to puzzle over.
     */
    public String success(PinnedImage image, Severity threshold) {
        long exempt = all.stream().filter(Finding::exempt).count();
        StringBuilder line = new StringBuilder("gate passed: " + image + ": no unexempted finding at or above "
                + threshold.lowerCase() + "; ");
        if (all.isEmpty()) {
            line.append("0 findings judged");
        } else {
            line.append(all.size()).append(all.size() == 1 ? " finding judged (" : " findings judged (")
                    .append(exempt).append(" exempt, ").append(all.size() - exempt).append(" below the threshold)");
        }
        Integer counted = issueCount(status);
        if (counted != null && counted > all.size()) {
            line.append("; the registry's status \"").append(status).append("\" also counts configuration issues, "
                    + "which the gate judges only with includeConfiguration: true");
        } else if (status != null && !status.isEmpty()) {
            line.append("; registry status \"").append(status).append('"');
        }
        return line.toString();
    }

    /** The number in the registry's status text ("No Issues", "1 Issue", "12 Issues"), or null for another status. */
    static Integer issueCount(String status) {
        if ("No Issues".equals(status)) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) Issues?").matcher(status == null ? "" : status);
        return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }
}
