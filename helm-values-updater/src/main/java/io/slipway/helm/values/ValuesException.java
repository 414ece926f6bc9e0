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
        SHAPE_MISMATCH,
        /**
         * The file writes the mapping to be edited in a form the editor cannot add a key to without
         * changing what the file means (explicit {@code ? key} entries), or the edit did not read back.
         */
        UNSUPPORTED_LAYOUT,
        /** No image key was named and none in the values holds the repository being deployed. */
        NO_IMAGE_KEY,
        /** No image key was named and several hold the repository being deployed. */
        AMBIGUOUS_IMAGE_KEY
    }

    /** Whether the input itself is malformed (a bad reference or path), as opposed to a refused edit. */
    public boolean badInput() {
        return reason == Reason.INVALID_REFERENCE || reason == Reason.INVALID_PATH;
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
