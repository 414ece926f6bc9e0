package io.slipway.registry.tenancy;

/** A management request that cannot be done as asked; {@code status} is the HTTP answer. */
public class TenancyException extends RuntimeException {
    private final int status;
    private final String code;

    public TenancyException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static TenancyException invalid(String message) {
        return new TenancyException(400, "INVALID", message);
    }

    public static TenancyException notFound(String message) {
        return new TenancyException(404, "NOT_FOUND", message);
    }

    public static TenancyException conflict(String message) {
        return new TenancyException(409, "CONFLICT", message);
    }

    public static TenancyException denied(String message) {
        return new TenancyException(403, "DENIED", message);
    }
}
