package io.slipway.pipeline.build;

/** The build file cannot be built from; bad input, not a failure of the build. */
public final class InvalidBuildFileException extends IllegalArgumentException {
    public InvalidBuildFileException(String message) {
        super(message);
    }
}
