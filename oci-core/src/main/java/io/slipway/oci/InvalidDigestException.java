package io.slipway.oci;

/** A digest that does not parse, or whose algorithm is not supported. */
public class InvalidDigestException extends IllegalArgumentException {
    public InvalidDigestException(String message) {
        super(message);
    }
}
