package io.slipway.trust.keys;

/** A key file cannot be read: wrong format, unsupported algorithm, damaged content. */
public class KeyFileException extends RuntimeException {

    public KeyFileException(String message) {
        super(message);
    }

    public KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
