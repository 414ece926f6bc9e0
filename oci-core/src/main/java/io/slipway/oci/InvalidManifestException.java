package io.slipway.oci;

/** A manifest that is not valid JSON or not a valid manifest of its media type. */
public class InvalidManifestException extends IllegalArgumentException {
    public InvalidManifestException(String message) {
        super(message);
    }

    public InvalidManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
