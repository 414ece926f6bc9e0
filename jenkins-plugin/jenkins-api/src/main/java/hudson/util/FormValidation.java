package hudson.util;

import java.io.IOException;

public abstract class FormValidation extends IOException {
    public enum Kind {
        OK,
        WARNING,
        ERROR
    }

    public final Kind kind;

    private FormValidation(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public static FormValidation ok() {
        return new FormValidation(Kind.OK, null) { };
    }

    public static FormValidation ok(String message) {
        return new FormValidation(Kind.OK, message) { };
    }

    public static FormValidation ok(String format, Object... args) {
        return ok(String.format(format, args));
    }

    public static FormValidation warning(String message) {
        return new FormValidation(Kind.WARNING, message) { };
    }

    public static FormValidation warning(String format, Object... args) {
        return warning(String.format(format, args));
    }

    public static FormValidation warning(Throwable e, String message) {
        return warning(message + ": " + e);
    }

    public static FormValidation warning(Throwable e, String format, Object... args) {
        return warning(e, String.format(format, args));
    }

    public static FormValidation error(String message) {
        return new FormValidation(Kind.ERROR, message) { };
    }

    public static FormValidation error(String format, Object... args) {
        return error(String.format(format, args));
    }

    public static FormValidation error(Throwable e, String message) {
        return error(message + ": " + e);
    }

    public static FormValidation error(Throwable e, String format, Object... args) {
        return error(e, String.format(format, args));
    }
}
