package io.slipway.pipeline.gate;

/** The scan did not finish within the gate's timeout. */
public final class GateTimeoutException extends Exception {
    public GateTimeoutException(String message) {
        super(message);
    }
}
