package io.slipway.oci;

/** A repository name or tag that does not follow the distribution specification's grammar. */
public class InvalidNameException extends IllegalArgumentException {
    public InvalidNameException(String message) {
        super(message);
    }
}
