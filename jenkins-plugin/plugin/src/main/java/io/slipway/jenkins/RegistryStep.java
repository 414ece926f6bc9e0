package io.slipway.jenkins;

import java.io.Serializable;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A step that talks to the registry: by default the one of the enclosing {@code withSlipwayRegistry},
 * or its own {@code registry:} and {@code credentialsId:}. Steps are Serializable (plain values
 * only) so that an execution and the work it sends to the agent can carry the step itself.
 */
public abstract class RegistryStep extends Step implements Serializable {
    private static final long serialVersionUID = 1L;

    private String registry;
    private String credentialsId;

    public String getRegistry() {
        return registry;
    }

    @DataBoundSetter
    public void setRegistry(String registry) {
        this.registry = StepCredentials.blankToNull(registry);
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = StepCredentials.blankToNull(credentialsId);
    }
}
