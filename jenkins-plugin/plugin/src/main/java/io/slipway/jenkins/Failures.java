package io.slipway.jenkins;

import hudson.AbortException;
import io.slipway.gitops.GitOpsException;
import io.slipway.helm.render.RenderCheckException;
import io.slipway.helm.values.ValuesException;
import io.slipway.oci.client.RegistryException;
import io.slipway.oci.client.RegistryUnreachableException;
import io.slipway.pipeline.gate.GateTimeoutException;
import io.slipway.trust.keys.KeyFileException;
import io.slipway.trust.policy.InvalidPolicyException;
import java.io.IOException;

/**
 * What a step failure looks like in the build log. Failures the user can act on (bad input, a
 * refusal by the registry, an unreachable server, a Git conflict) become an {@link AbortException}:
 * Jenkins prints its message alone, without a stack trace. Anything else is a bug and keeps its trace.
 */
final class Failures {
    private Failures() {
    }

    /** A parameter the step cannot do without. */
    static void require(String value, String function, String what) throws AbortException {
        if (value == null || value.isBlank()) {
            throw new AbortException(function + " needs " + what);
        }
    }

    /**
     * The failure as the build log should show it: an {@link AbortException} for what the user can
     * act on, the exception itself for a bug.
     */
    static Exception forLog(String function, Exception e) {
        if (e instanceof AbortException || e instanceof InterruptedException) {
            return e;
        }
        if (e instanceof Unreachable) {
            return new AbortException(e.getMessage());
        }
        if (e instanceof RegistryUnreachableException) {
            return new AbortException(unreachable(function, e));
        }
        if (e instanceof RegistryException r) {
            return new AbortException(function + ": refused by the registry" + (r.status() > 0 ? " (HTTP " + r.status() + ")" : "")
                    + ": " + e.getMessage());
        }
        if (e instanceof IllegalArgumentException || e instanceof GateTimeoutException || e instanceof GitOpsException
                || e instanceof ValuesException || e instanceof RenderCheckException || e instanceof KeyFileException
                || e instanceof InvalidPolicyException) {
            return new AbortException(function + ": " + e.getMessage());
        }
        return e;
    }

    /**
     * The failure as it travels back from an agent, in classes of core, the JDK and this plugin:
     * an {@link AbortException} worded for the log, an {@link Unreachable} a waiting step can try
     * again, or an {@link AgentFailure} for a bug.
     */
    static IOException forAgent(String function, Exception e) {
        if (e instanceof AbortException || e instanceof Unreachable || e instanceof AgentFailure) {
            return (IOException) e;
        }
        if (e instanceof RegistryUnreachableException) {
            return new Unreachable(unreachable(function, e));
        }
        if (forLog(function, e) instanceof AbortException abort) {
            return abort;
        }
        AgentFailure failure = new AgentFailure(function + " failed: " + e);
        failure.setStackTrace(e.getStackTrace());
        return failure;
    }

    private static String unreachable(String function, Exception e) {
        return function + ": registry unreachable: " + e.getMessage();
    }

    /** No answer from the registry: worth another try while a step may still wait. */
    static final class Unreachable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message);
        }
    }

    /** A step's work failed on the agent for a reason none of ours: a bug, told with the original's message and stack. */
    static final class AgentFailure extends IOException {
        private static final long serialVersionUID = 1L;

        AgentFailure(String message) {
            super(message);
        }
    }
}
