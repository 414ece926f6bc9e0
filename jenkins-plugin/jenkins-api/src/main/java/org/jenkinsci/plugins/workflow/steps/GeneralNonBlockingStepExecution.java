package org.jenkinsci.plugins.workflow.steps;

/** In Jenkins blocks run on a shared pool as the build's user; here, each on a thread of its own. */
public abstract class GeneralNonBlockingStepExecution extends StepExecution {
    private transient volatile Throwable stopCause;

    protected GeneralNonBlockingStepExecution(StepContext context) {
        super(context);
    }

    @FunctionalInterface
    protected interface Block {
        void run() throws Exception;
    }

    protected final void run(Block block) {
        if (stopCause != null) {
            return;
        }
        new Thread(() -> {
            try {
                block.run();
            } catch (Throwable t) {
                if (stopCause == null) {
                    getContext().onFailure(t);
                } else {
                    stopCause.addSuppressed(t);
                }
            }
        }, "block of " + getClass().getName()).start();
    }

    @Override
    public void stop(Throwable cause) throws Exception {
        stopCause = cause;
        super.stop(cause);
    }

    @Override
    public void onResume() {
    }

    @Override
    public String getStatus() {
        return "not currently scheduled, or running blocks";
    }

    /** A tail call whose {@link #finished} runs off the CPS thread, in {@link #run}. */
    protected abstract class TailCall extends BodyExecutionCallback {
        protected abstract void finished(StepContext context) throws Exception;

        @Override
        public final void onSuccess(StepContext context, Object result) {
            run(() -> {
                try {
                    finished(context);
                } catch (Exception e) {
                    context.onFailure(e);
                    return;
                }
                context.onSuccess(result);
            });
        }

        @Override
        public final void onFailure(StepContext context, Throwable t) {
            run(() -> {
                try {
                    finished(context);
                } catch (Exception e) {
                    t.addSuppressed(e);
                }
                context.onFailure(t);
            });
        }
    }
}
