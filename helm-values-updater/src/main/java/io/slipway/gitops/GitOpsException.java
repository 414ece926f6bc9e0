package io.slipway.gitops;

/** A GitOps update that could not be completed; the remote branch was not changed by it. */
public class GitOpsException extends RuntimeException {
    public GitOpsException(String message) {
        super(message);
    }

    public GitOpsException(String message, Throwable cause) {
        super(message, cause);
    }
}
