package io.slipway.trust;

/**
 * A signature was refused. The {@link Reason} lets callers (the policy decision, the CLI) say what
 * was wrong without parsing messages; the message says it for people.
 */
public class SignatureVerificationException extends Exception {

    /** Why a signature was refused. */
    public enum Reason {
        /** The signature blob or envelope cannot be read. */
        MALFORMED_SIGNATURE,
        /** The signed payload is not a valid payload of the expected type (including unknown critical members). */
        MALFORMED_PAYLOAD,
        /** No trusted key made this signature. */
        UNKNOWN_SIGNER,
        /** A trusted key is named but the cryptographic check fails: the content or signature was changed. */
        BAD_SIGNATURE,
        /** The signing OpenPGP key has expired. */
        KEY_EXPIRED,
        /** The signing OpenPGP key has been revoked. */
        KEY_REVOKED,
        /** The payload signs another manifest digest than the image's. */
        DIGEST_MISMATCH,
        /** The payload names an identity the image's reference does not match. */
        IDENTITY_MISMATCH
    }

    private final Reason reason;

    public SignatureVerificationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SignatureVerificationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
