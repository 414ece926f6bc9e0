package io.slipway.pipeline.gate;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One finding of the Vulnerability Advisor report, as the gate judges it; named as the report names it. */
public record Finding(String id, String severity, @JsonProperty("package") String pkg, String installed, String fixed,
                      boolean exempt) {
}
