package io.slipway.registry.distribution;

import io.slipway.oci.ErrorCode;
import java.util.Map;

/**
 * A request the registry refuses, with the OCI error code (and so the status) to answer, and any
 * headers the specification asks for with that answer. The server's refusal, written as the OCI
 * error JSON; not the client's {@code io.slipway.oci.client.RegistryException}, which reads one.
 */
public class OciError extends RuntimeException {
    private final ErrorCode code;
    private final transient Object detail;
    private final Map<String, String> headers;

    public OciError(ErrorCode code, String message) {
        this(code, message, null, Map.of());
    }

    public OciError(ErrorCode code, String message, Object detail, Map<String, String> headers) {
        super(message == null ? code.defaultMessage() : message);
        this.code = code;
        this.detail = detail;
        this.headers = Map.copyOf(headers);
    }

    public ErrorCode code() {
        return code;
    }

    public Object detail() {
        return detail;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
