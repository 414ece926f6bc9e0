package io.slipway.registry.metadata;

/** The metadata database failed; the request cannot be answered. */
public class MetadataException extends RuntimeException {
    public MetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
