package io.slipway.oci.client;

import java.io.IOException;

/** No HTTP answer at all: the registry is down, or the address is wrong. */
public class RegistryUnreachableException extends IOException {
    public RegistryUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
