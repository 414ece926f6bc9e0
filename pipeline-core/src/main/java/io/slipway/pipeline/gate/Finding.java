package io.slipway.pipeline.gate;

/** One vulnerability of the Vulnerability Advisor report, as the gate judges it. */
public record Finding(String id, String severity, String pkg, String installed, String fixed, boolean exempt) {
}
