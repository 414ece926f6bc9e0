package io.slipway.jenkins;

import hudson.model.TaskListener;
import io.slipway.pipeline.ProgressListener;
import java.io.Serializable;

/**
 * pipeline-core's progress lines into the build log. It travels to the agent with the work: the
 * listener is remoted by Jenkins, and what is written there reaches the controller's log when the
 * agent's side flushes, which {@link AgentWork} does before the work returns.
 */
final class StepLog implements ProgressListener, Serializable {
    private static final long serialVersionUID = 1L;

    private final TaskListener listener;

    StepLog(TaskListener listener) {
        this.listener = listener;
    }

    @Override
    public void line(String message) {
        listener.getLogger().println(message);
    }

    /** Sends what is buffered on this side (an agent's) to the build log. */
    void flush() {
        listener.getLogger().flush();
    }
}
