package org.jenkinsci.plugins.workflow.steps;

import hudson.EnvVars;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;

public abstract class EnvironmentExpander implements Serializable {
    public abstract void expand(EnvVars env) throws IOException, InterruptedException;

    public Set<String> getSensitiveVariables() {
        return Set.of();
    }

    public static EnvironmentExpander merge(EnvironmentExpander original, EnvironmentExpander subsequent) {
        if (original == null) {
            return subsequent;
        }
        return new EnvironmentExpander() {
            @Override
            public void expand(EnvVars env) throws IOException, InterruptedException {
                original.expand(env);
                subsequent.expand(env);
            }

            @Override
            public Set<String> getSensitiveVariables() {
                Set<String> all = new HashSet<>(original.getSensitiveVariables());
                all.addAll(subsequent.getSensitiveVariables());
                return all;
            }
        };
    }
}
