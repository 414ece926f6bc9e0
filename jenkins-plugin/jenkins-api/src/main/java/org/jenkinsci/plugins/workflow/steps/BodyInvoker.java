package org.jenkinsci.plugins.workflow.steps;

import com.google.common.util.concurrent.FutureCallback;
import hudson.console.ConsoleLogFilter;
import hudson.model.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Collection;

public abstract class BodyInvoker {
    public abstract BodyInvoker withContext(Object override);

    public BodyInvoker withContexts(Object... overrides) {
        for (Object o : overrides) {
            withContext(o);
        }
        return this;
    }

    public BodyInvoker withContexts(Collection<?> overrides) {
        for (Object o : overrides) {
            withContext(o);
        }
        return this;
    }

    public abstract BodyInvoker withCallback(BodyExecutionCallback callback);

    public final BodyInvoker withCallback(FutureCallback<Object> callback) {
        throw new UnsupportedOperationException("wrap the FutureCallback in a BodyExecutionCallback");
    }

    public abstract BodyExecution start();

    public static ConsoleLogFilter mergeConsoleLogFilters(ConsoleLogFilter original, ConsoleLogFilter subsequent) {
        return original == null ? subsequent : new Both(original, subsequent);
    }

    private static final class Both extends ConsoleLogFilter implements Serializable {
        private final ConsoleLogFilter first;
        private final ConsoleLogFilter then;

        Both(ConsoleLogFilter first, ConsoleLogFilter then) {
            this.first = first;
            this.then = then;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public OutputStream decorateLogger(Run build, OutputStream logger) throws IOException, InterruptedException {
            return then.decorateLogger(build, first.decorateLogger(build, logger));
        }
    }
}
