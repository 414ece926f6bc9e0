package org.jenkinsci.plugins.workflow.steps;

import java.io.Serializable;

public abstract class BodyExecutionCallback implements Serializable {
    public void onStart(StepContext context) {
    }

    public abstract void onSuccess(StepContext context, Object result);

    public abstract void onFailure(StepContext context, Throwable t);

    /** The body's outcome is the step's outcome, after {@link #finished}. */
    public abstract static class TailCall extends BodyExecutionCallback {
        protected abstract void finished(StepContext context) throws Exception;

        @Override
        public final void onSuccess(StepContext context, Object result) {
            try {
                finished(context);
            } catch (Exception e) {
                context.onFailure(e);
                return;
            }
            context.onSuccess(result);
        }

        @Override
        public void onFailure(StepContext context, Throwable t) {
            try {
                finished(context);
            } catch (Exception e) {
                t.addSuppressed(e);
            }
            context.onFailure(t);
        }
    }
}
