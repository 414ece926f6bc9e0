package io.slipway.pipeline.gate;

import io.slipway.pipeline.ImageInput;
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
    public String failure(ImageInput image, Severity threshold) {
        List<String> ids = blocking.stream().map(f -> f.id() + " (" + f.severity() + ")").toList();
        String findings = ids.isEmpty() ? "" : ids.size() + " finding(s) at or above " + threshold.lowerCase() + ": "
                + String.join(", ", ids);
        if (reason != null) {
            return "gate failed for " + image + ": " + reason + (findings.isEmpty() ? "" : "; " + findings);
        }
        return "gate failed for " + image + ": " + findings;
    }

    /** One line saying the gate passed. */
    public String success(ImageInput image, Severity threshold) {
        return "gate passed: " + image + " (" + status + ", threshold " + threshold.lowerCase() + ")";
    }
}
