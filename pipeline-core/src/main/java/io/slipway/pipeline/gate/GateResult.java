package io.slipway.pipeline.gate;

import java.util.List;

/**
 * The gate's verdict.
 *
 * @param passed   no finding at or above the threshold is left unexempted
 * @param status   the registry's security status text ("No Issues", "1 Issue", …)
 * @param blocking the findings that fail the gate
 * @param all      every vulnerability of the report, exempt ones included
 * @param reason   why the gate failed when no finding says it (a failed scan), else null
 */
public record GateResult(boolean passed, String status, List<Finding> blocking, List<Finding> all, String reason) {
}
