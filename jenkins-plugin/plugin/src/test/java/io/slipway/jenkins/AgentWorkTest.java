package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import hudson.FilePath;
import io.slipway.oci.client.RegistryException;
import io.slipway.oci.client.RegistryUnreachableException;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What comes back from the agent is made of classes Jenkins' remoting will read (JEP-200 refuses
 * classes of a plugin's bundled libraries): the plugin's own, core's, the JDK's.
 */
class AgentWorkTest {
    @TempDir
    Path workspace;

    /** Throws what it is given, on the "agent". */
    static final class Throwing extends AgentWork<String> {
        private final Exception toThrow;

        Throwing(Exception toThrow) {
            super("slipwayTest");
            this.toThrow = toThrow;
        }

        @Override
        String run(File workspace) throws Exception {
            throw toThrow;
        }
    }

    /** Says where it ran. */
    static final class Where extends AgentWork<String> {
        Where() {
            super("slipwayTest");
        }

        @Override
        String run(File workspace) {
            return String.valueOf(workspace);
        }
    }

    @Test
    void aRefusalOfTheRegistryComesBackAsAnAbortWithItsWords() {
        assertThatThrownBy(() -> new FilePath(workspace.toFile()).act(new Throwing(new RegistryException(403, "denied: push to acme-prod"))))
                .isExactlyInstanceOf(AbortException.class)
                .hasMessage("slipwayTest: refused by the registry (HTTP 403): denied: push to acme-prod");
    }

    @Test
    void noAnswerComesBackAsUnreachableSoAWaitingStepCanTryAgain() {
        assertThatThrownBy(() -> new FilePath(workspace.toFile()).act(new Throwing(new RegistryUnreachableException("connection refused", new java.net.ConnectException()))))
                .isExactlyInstanceOf(Failures.Unreachable.class).hasMessageContaining("registry unreachable");
    }

    @Test
    void aBugComesBackAsAnAgentFailureKeepingWhereItHappened() {
        NullPointerException bug = new NullPointerException("oops");
        Throwable back = org.assertj.core.api.Assertions.catchThrowable(
                () -> new FilePath(workspace.toFile()).act(new Throwing(bug)));
        assertThat(back).isExactlyInstanceOf(Failures.AgentFailure.class).hasNoCause()
                .hasMessage("slipwayTest failed: java.lang.NullPointerException: oops");
        assertThat(back.getStackTrace()).isEqualTo(bug.getStackTrace());
    }

    @Test
    void withoutAWorkspaceTheWorkRunsHereWithNone() throws Exception {
        Where where = new Where();
        assertThat(Agent.run(null, where)).isEqualTo("null");
        assertThat(Agent.run(new FilePath(workspace.toFile()), where)).isEqualTo(workspace.toString());
    }
}
