package io.slipway.jenkins;

import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;

/**
 * What every Slipway step tells Jenkins: its DSL name, its name in the Snippet Generator, and
 * what it needs around it. Each step's {@code DescriptorImpl}, nested in the step as Jenkins' no-arg
 * Descriptor constructor requires, extends this and adds its form checks.
 */
public abstract class SlipwayStepDescriptor extends StepDescriptor {
    private final String function;
    private final String displayName;
    private final Set<Class<?>> context;

    SlipwayStepDescriptor(String function, String displayName, Class<?>... context) {
        this.function = function;
        this.displayName = displayName;
        this.context = Set.of(context);
    }

    @Override
    public final String getFunctionName() {
        return function;
    }

    @Override
    public final String getDisplayName() {
        return displayName;
    }

    @Override
    public final Set<? extends Class<?>> getRequiredContext() {
        return context;
    }
}
