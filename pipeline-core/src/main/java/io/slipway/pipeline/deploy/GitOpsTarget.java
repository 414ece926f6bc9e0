package io.slipway.pipeline.deploy;

import io.slipway.gitops.GitCredentials;
import java.util.Objects;

/**
 * The GitOps repository a deploy or a promotion writes to.
 *
 * @param url         https://, ssh://, git:// or file:// URL of the repository
 * @param branch      branch to update, or null for {@code main}
 * @param credentials how to authenticate to the Git server
 */
public record GitOpsTarget(String url, String branch, GitCredentials credentials) {
    public GitOpsTarget {
        Objects.requireNonNull(url, "GitOps repository URL");
        if (url.isBlank()) {
            throw new IllegalArgumentException("GitOps repository URL is empty");
        }
        credentials = credentials == null ? GitCredentials.none() : credentials;
    }

    public static GitOpsTarget of(String url, GitCredentials credentials) {
        return new GitOpsTarget(url, null, credentials);
    }
}
