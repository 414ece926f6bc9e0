package io.slipway.helm.values;

/** A values file that cannot be edited as asked; nothing was written. */
public class ValuesException extends RuntimeException {

    /** Why the edit was refused, for callers that react differently (the CLI exits with one line either way). */
    public enum Reason {
        INVALID_YAML,
        NOT_UTF8,
        NOT_A_MAPPING,
        PATH_THROUGH_SCALAR,
        SHARED_BY_ALIAS,
        NOT_A_SCALAR,
        NO_SUCH_ITEM,
        DUPLICATE_KEY,
        UNSUPPORTED_SCALAR,
        INVALID_PATH,
        INVALID_REFERENCE,
        SHAPE_MISMATCH
    }

    private final Reason reason;

    public ValuesException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
