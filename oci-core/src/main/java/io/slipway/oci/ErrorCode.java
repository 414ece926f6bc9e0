package io.slipway.oci;

/**
 * The error codes of the OCI Distribution Specification (and the few extra ones of the CNCF
 * Distribution registry that clients know), each with the HTTP status the specification gives it.
 * This is the one table both the server and the client read.
 */
public enum ErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(400, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    // Not in the OCI table, but sent by the reference registry and understood by its clients.
    RANGE_INVALID(416, "invalid content range"),
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    TAG_INVALID(400, "manifest tag did not match URI"),
    // A request larger than a configured limit.
    TOO_LARGE(413, "request entity too large");

    private final int status;
    private final String message;

    ErrorCode(int status, String message) {
        this.status = status;
        this.message = message;
    }

    public int status() {
        return status;
    }

    /** The code as it appears on the wire ({@code TOO_LARGE} is sent as {@code SIZE_INVALID}). */
    public String wireCode() {
        return this == TOO_LARGE ? SIZE_INVALID.name() : name();
    }

    public String defaultMessage() {
        return message;
    }
}
