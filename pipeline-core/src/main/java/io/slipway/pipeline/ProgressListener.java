package io.slipway.pipeline;

/**
 * Where a step reports what it is doing, one line at a time, so that a terminal, a Jenkins log
 * and a Tekton step log all show the same progress without the step knowing which it runs in.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = line -> { };

    void line(String message);
}
