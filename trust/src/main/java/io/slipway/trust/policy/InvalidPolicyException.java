package io.slipway.trust.policy;

/** A policy document that cannot be accepted; the message names the offending field. */
public class InvalidPolicyException extends RuntimeException {

    public InvalidPolicyException(String message) {
        super(message);
    }
}
