package io.slipway.jenkins;

import hudson.AbortException;
import hudson.remoting.VirtualChannel;
import io.slipway.pipeline.RegistryAccess;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import jenkins.MasterToSlaveFileCallable;

/**
 * A step's work where the workspace is. Its fields are plain values and classes of this plugin,
 * and what it throws back is too: Jenkins' remoting refuses to read classes of libraries bundled
 * in a plugin (JEP-200), so an exception of pipeline-core becomes an {@link AbortException} with
 * the same words here, and an unexpected one an {@link Failures.AgentFailure} that keeps the
 * original's message and stack.
 */
abstract class AgentWork<T> extends MasterToSlaveFileCallable<T> {
    private static final long serialVersionUID = 1L;

    private final String function;

    AgentWork(String function) {
        this.function = function;
    }

    /** @param workspace the workspace folder, or null when the work runs on the controller without one */
    abstract T run(File workspace) throws Exception;

    @Override
    public final T invoke(File workspace, VirtualChannel channel) throws IOException, InterruptedException {
        try {
            return run(workspace);
        } catch (AbortException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (Failures.forLog(function, e) instanceof AbortException abort) {
                throw abort;
            }
            IOException failure = new Failures.AgentFailure(function + " failed: " + e);
            failure.setStackTrace(e.getStackTrace());
            throw failure;
        }
    }

    /** Registry credentials as plain values, for the trip to the agent. */
    static final class RegistryLogin implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String url;
        private final String user;
        private final String secret;

        RegistryLogin(RegistryAccess access) {
            this.url = access.url();
            this.user = access.user();
            this.secret = access.secret();
        }

        RegistryAccess access() {
            return new RegistryAccess(url, user, secret);
        }
    }
}
