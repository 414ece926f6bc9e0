package io.slipway.gitops;

import io.slipway.oci.client.CredentialPolicy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.HttpTransport;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * How to authenticate to the GitOps remote. HTTPS takes a token or a user and password; SSH takes a
 * private key file and a known_hosts file (host keys are always checked: an unknown host fails);
 * {@code file://} and {@code git://} need {@link #none()}.
 */
public sealed interface GitCredentials {

    static GitCredentials none() {
        return new None();
    }

    /** A token sent as the HTTPS password, with the user name the big forges accept for tokens. */
    static GitCredentials token(String token) {
        return new UserPassword("x-access-token", token);
    }

    static GitCredentials token(String user, String token) {
        return new UserPassword(user, token);
    }

    static GitCredentials userPassword(String user, String password) {
        return new UserPassword(user, password);
    }

    static GitCredentials sshKey(Path privateKey, Path knownHosts) {
        return new SshKey(privateKey, knownHosts);
    }

    /**
     * Sets these credentials on a clone, fetch or push command of {@code remoteUrl}. A token or password is held to
     * {@link io.slipway.oci.client.CredentialPolicy}: refused here for plain {@code http://} off this machine, and
     * sent only to the remote's own origin, never to one a redirect leads to ({@link HomeOnlyGitHttp}).
     */
    void applyTo(TransportCommand<?, ?> command, String remoteUrl);

    record None() implements GitCredentials {
        @Override
        public void applyTo(TransportCommand<?, ?> command, String remoteUrl) {
        }
    }

    record UserPassword(String user, String password) implements GitCredentials {
        public UserPassword {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public void applyTo(TransportCommand<?, ?> command, String remoteUrl) {
            URI home = HomeOnlyGitHttp.httpRemote(remoteUrl);
            if (home == null) {
                // ssh:// (which takes a key: sshKey), file://, git://: the password is not handed to JGit at all.
                return;
            }
            if (!CredentialPolicy.safeForCredentials(home)) {
                throw new GitOpsException("refusing to send the Git token or password over plain HTTP to "
                        + CredentialPolicy.origin(home) + ": use https:// (only a loopback address — "
                        + CredentialPolicy.LOOPBACK_HOSTS + " — may be reached over http:// with credentials)");
            }
            command.setCredentialsProvider(HomeOnlyGitHttp.provider(home, new UsernamePasswordCredentialsProvider(user, password)));
            command.setTransportConfigCallback(transport -> {
                if (transport instanceof TransportHttp http) {
                    http.setHttpConnectionFactory(HomeOnlyGitHttp.connections(home, HttpTransport.getConnectionFactory()));
                }
            });
        }

        @Override
        public String toString() {
            return "UserPassword[user=" + user + ", password=***]"; // never log the secret
        }
    }

    record SshKey(Path privateKey, Path knownHosts) implements GitCredentials {
        public SshKey {
            if (!Files.isRegularFile(privateKey)) {
                throw new GitOpsException("SSH key " + privateKey + " does not exist");
            }
            if (!Files.isRegularFile(knownHosts)) {
                throw new GitOpsException("known hosts file " + knownHosts + " does not exist");
            }
        }

        @Override
        public void applyTo(TransportCommand<?, ?> command, String remoteUrl) {
            // Built per command and closed with it: it holds only this key and these known hosts,
            // never the user's ~/.ssh or an agent.
            Path sshDir = privateKey.toAbsolutePath().getParent();
            SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(sshDir.toFile())
                    .setSshDirectory(sshDir.toFile())
                    .setDefaultIdentities(dir -> List.of(privateKey.toAbsolutePath()))
                    .setDefaultKnownHostsFiles(dir -> List.of(knownHosts.toAbsolutePath()))
                    .setPreferredAuthentications("publickey")
                    .setConfigStoreFactory((home, config, user) -> null)
                    .build(null);
            command.setTransportConfigCallback(transport -> {
                if (transport instanceof SshTransport ssh) {
                    ssh.setSshSessionFactory(factory);
                }
            });
        }
    }
}
