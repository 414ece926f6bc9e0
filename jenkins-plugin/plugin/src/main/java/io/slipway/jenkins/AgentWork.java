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
    /** The build log where the work writes, or null for work that writes none. */
    final StepLog log;

    AgentWork(String function) {
        this(function, null);
    }

    AgentWork(String function, StepLog log) {
        this.function = function;
        this.log = log;
    }

    /** @param workspace the workspace folder, or null when the work runs on the controller without one */
    abstract T run(File workspace) throws Exception;

    /**
     * Runs the work with this plugin's class loader as the thread's context class loader: a step
     * thread's is Jenkins' web application loader, which cannot see the libraries bundled here,
     * and libraries that look things up through it (ServiceLoader, JGit's SSH, Jackson modules)
     * would find nothing or the wrong thing. The log is flushed before the work returns: an
     * agent's remoted listener buffers, and lines left in it would turn up under the next step.
     */
    @Override
    public final T invoke(File workspace, VirtualChannel channel) throws IOException, InterruptedException {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(AgentWork.class.getClassLoader());
        try {
            return run(workspace);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw Failures.forAgent(function, e);
        } finally {
            thread.setContextClassLoader(before);
            if (log != null) {
                log.flush();
            }
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
