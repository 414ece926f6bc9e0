package io.slipway.jenkins;

import hudson.EnvVars;
import hudson.console.ConsoleLogFilter;
import hudson.model.TaskListener;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jenkinsci.plugins.workflow.steps.BodyExecution;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * A StepContext as workflow-cps gives one, reduced to what the steps use: context objects looked
 * up by type (the innermost that fits), the environment with the enclosing expanders applied,
 * a body invoker whose body is a Java lambda, and the step's outcome as a future. Serialized, it
 * stands for itself, as CPS pickles a context; {@link #restart} swaps the context that a saved
 * execution finds when it is read back, as after a controller restart.
 */
final class TestContext extends StepContext {
    private static final Map<String, TestContext> LIVE = new ConcurrentHashMap<>();

    /** A block step's body. */
    @FunctionalInterface
    interface Body {
        Object run(TestContext inside) throws Exception;
    }

    private final String id;
    private final Map<Class<?>, Object> objects = new LinkedHashMap<>();
    final CompletableFuture<Object> outcome;
    /** The build log as it stood when the step reported its outcome. */
    volatile String logAtEnd;
    private Body body;

    TestContext(Object... objects) {
        this(UUID.randomUUID().toString(), objects);
    }

    private TestContext(String id, Object... objects) {
        this(id, new CompletableFuture<>(), objects);
    }

    private TestContext(String id, CompletableFuture<Object> outcome, Object... objects) {
        this.id = id;
        this.outcome = outcome;
        for (Object o : objects) {
            with(o);
        }
        LIVE.put(id, this);
    }

    TestContext with(Object o) {
        objects.put(o.getClass(), o);
        return this;
    }

    TestContext body(Body body) {
        this.body = body;
        return this;
    }

    /** A new context that a saved execution using this one finds when read back. */
    TestContext restart(Object... objects) {
        return new TestContext(id, objects);
    }

    TestListener listener() {
        return (TestListener) objects.values().stream().filter(TaskListener.class::isInstance).findFirst().orElseThrow();
    }

    /** The step's result, or the exception it failed with, thrown. */
    Object await() throws Exception {
        try {
            return outcome.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    Throwable failure() throws Exception {
        try {
            Object result = outcome.get(120, TimeUnit.SECONDS);
            throw new AssertionError("the step succeeded with " + result);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    @Override
    public <T> T get(Class<T> key) {
        if (key == EnvVars.class) {
            EnvVars env = new EnvVars(lookup(EnvVars.class) != null ? lookup(EnvVars.class) : Map.of());
            EnvironmentExpander expander = lookup(EnvironmentExpander.class);
            if (expander != null) {
                try {
                    expander.expand(env);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return key.cast(env);
        }
        return lookup(key);
    }

    private <T> T lookup(Class<T> key) {
        List<Object> all = new ArrayList<>(objects.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            if (key.isInstance(all.get(i))) {
                return key.cast(all.get(i));
            }
        }
        return null;
    }

    @Override
    public BodyInvoker newBodyInvoker() {
        if (body == null) {
            throw new IllegalStateException("no body");
        }
        return new Invoker();
    }

    @Override
    public void onSuccess(Object result) {
        logAtEnd = logText();
        outcome.complete(result);
    }

    @Override
    public void onFailure(Throwable t) {
        logAtEnd = logText();
        outcome.completeExceptionally(t);
    }

    private String logText() {
        TaskListener listener = lookup(TaskListener.class);
        return listener instanceof TestListener test ? test.text() : null;
    }

    private Object writeReplace() throws ObjectStreamException {
        return new Handle(id);
    }

    private record Handle(String id) implements Serializable {
        private Object readResolve() throws ObjectStreamException {
            return LIVE.get(id);
        }
    }

    /** Runs the body at once, on the calling thread, in a context with the overrides on top. */
    private final class Invoker extends BodyInvoker {
        private final List<Object> overrides = new ArrayList<>();
        private BodyExecutionCallback callback;

        @Override
        public BodyInvoker withContext(Object override) {
            overrides.add(override);
            return this;
        }

        @Override
        public BodyInvoker withCallback(BodyExecutionCallback callback) {
            this.callback = callback;
            return this;
        }

        @Override
        public BodyExecution start() {
            TestContext inside = new TestContext();
            objects.values().forEach(inside::with);
            for (Object o : overrides) {
                inside.objects.entrySet().removeIf(e -> e.getKey().isInstance(o) || sameRole(e.getValue(), o));
                inside.with(o);
            }
            ConsoleLogFilter filter = inside.lookup(ConsoleLogFilter.class);
            if (filter != null) {
                try {
                    inside.with(listener().through(filter.decorateLogger(null, listener().raw())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            // the callbacks see the objects at the end of the body, and complete this step (as in CPS)
            TestContext end = new TestContext(UUID.randomUUID().toString(), outcome, inside.objects.values().toArray());
            try {
                Object result = body.run(inside);
                callback.onSuccess(end, result);
            } catch (Exception e) {
                callback.onFailure(end, e);
            }
            return new BodyExecution() { };
        }

        private boolean sameRole(Object existing, Object override) {
            return (existing instanceof EnvironmentExpander && override instanceof EnvironmentExpander)
                    || (existing instanceof ConsoleLogFilter && override instanceof ConsoleLogFilter);
        }
    }
}
