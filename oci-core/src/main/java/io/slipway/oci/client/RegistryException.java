package io.slipway.oci.client;

import java.io.IOException;

/** The registry answered with an error status; {@link #status()} tells refusal from absence. */
public class RegistryException extends IOException {
    private final int status;

    public RegistryException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
