package io.slipway.jenkins;

import hudson.remoting.VirtualChannel;
import io.slipway.pipeline.RegistryAccess;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import jenkins.MasterToSlaveFileCallable;

/**
 * A step's work where the workspace is. Its fields are plain values and classes of this plugin's
 * own jar: Jenkins' remoting class filter (JEP-200) refuses the other classes of libraries bundled
 * in a plugin, such as pipeline-core's records. What it throws back is sorted on the agent
 * ({@link Failures#forAgent}): a message for the log, or a kind a waiting step can retry.
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
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw Failures.forAgent(function, e);
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
