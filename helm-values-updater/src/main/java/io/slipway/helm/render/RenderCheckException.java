package io.slipway.helm.render;

/** The chart does not lint, does not render, or renders an image other than the one written. */
public class RenderCheckException extends RuntimeException {
    public RenderCheckException(String message) {
        super(message);
    }

    public RenderCheckException(String message, Throwable cause) {
        super(message, cause);
    }
}
