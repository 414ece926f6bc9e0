package org.jenkinsci.plugins.workflow.steps;

/** In Jenkins run() goes to a cached pool as the build's user; here, to a thread of its own. */
public abstract class SynchronousNonBlockingStepExecution<T> extends StepExecution {
    private transient volatile Thread thread;

    protected SynchronousNonBlockingStepExecution(StepContext context) {
        super(context);
    }

    protected abstract T run() throws Exception;

    @Override
    public final boolean start() throws Exception {
        thread = new Thread(() -> {
            try {
                getContext().onSuccess(run());
            } catch (Throwable t) {
                getContext().onFailure(t);
            }
        }, "step " + getClass().getName());
        thread.start();
        return false;
    }

    @Override
    public void stop(Throwable cause) throws Exception {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        getContext().onFailure(cause);
    }

    @Override
    public void onResume() {
        getContext().onFailure(new Exception("Resume after a restart not supported for non-blocking synchronous steps"));
    }
}
