package io.slipway.jenkins;

import hudson.FilePath;
import jenkins.MasterToSlaveFileCallable;
import java.io.IOException;

/** Runs a piece of a step's work where the workspace is, or on the controller when there is none. */
final class Agent {
    private Agent() {
    }

    static <T> T run(FilePath workspace, MasterToSlaveFileCallable<T> work) throws IOException, InterruptedException {
        return workspace != null ? workspace.act(work) : work.invoke(null, null);
    }
}
