package io.slipway.cli;

import io.slipway.gitops.GitCredentials;
import io.slipway.pipeline.deploy.GitOpsTarget;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The GitOps repository a command writes to: its URL, branch and Git credentials. One set of options
 * mixed into every command that commits to it ({@code deploy}, {@code promote}), so they name and
 * resolve the repository the same way.
 */
final class GitOpsOptions {
    @Option(names = "--gitops", required = true, paramLabel = "URL", description = "https://, ssh://, git:// or file:// URL")
    String url;

    @Option(names = "--branch", paramLabel = "B", description = "Branch to update (default: the remote's default).")
    String branch;

    @ArgGroup(exclusive = true)
    GitAuth auth;

    /** How to authenticate to the Git server (default: SLIPWAY_GIT_TOKEN, else none). */
    static final class GitAuth {
        @Option(names = "--git-token", paramLabel = "TOKEN")
        String token;

        @ArgGroup(exclusive = false)
        UserPassword userPassword;

        @ArgGroup(exclusive = false)
        SshKey ssh;
    }

    static final class UserPassword {
        @Option(names = "--git-user", required = true)
        String user;

        @Option(names = "--git-password", required = true)
        String password;
    }

    static final class SshKey {
        @Option(names = "--ssh-key", required = true, paramLabel = "FILE")
        Path key;

        @Option(names = "--known-hosts", required = true, paramLabel = "FILE")
        Path knownHosts;
    }

    /** The repository, branch and credentials these options name. */
    GitOpsTarget target() {
        return new GitOpsTarget(url, branch, credentials());
    }

    /** The Git credentials the options name; without any, SLIPWAY_GIT_TOKEN, else none. */
    GitCredentials credentials() {
        if (auth != null && auth.token != null) {
            return GitCredentials.token(auth.token);
        }
        if (auth != null && auth.userPassword != null) {
            return GitCredentials.userPassword(auth.userPassword.user, auth.userPassword.password);
        }
        if (auth != null && auth.ssh != null) {
            return GitCredentials.sshKey(auth.ssh.key, auth.ssh.knownHosts);
        }
        String token = System.getenv("SLIPWAY_GIT_TOKEN");
        return token != null ? GitCredentials.token(token) : GitCredentials.none();
    }
}
