package io.slipway.jenkins;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.model.Run;
import io.slipway.gitops.GitCredentials;
import io.slipway.pipeline.RegistryAccess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * Turns the credential IDs of a step into what pipeline-core takes. Which kinds are accepted, per
 * use: a registry takes "Username with password" (user {@code iamapikey} with an API key, or a
 * user's password) or "Secret text" (an API key); Git takes "Username with password", "Secret
 * text" (a token) or "SSH Username with private key"; a signing key is a "Secret file" or "Secret
 * text" holding the PEM.
 */
final class StepCredentials {
    /** The agent's known_hosts file for SSH Git remotes, when not {@code ~/.ssh/known_hosts}. */
    static final String KNOWN_HOSTS = "SLIPWAY_KNOWN_HOSTS";

    private final StepContext context;
    private final CredentialLookup lookup;
    private final Run<?, ?> run;

    private StepCredentials(StepContext context, CredentialLookup lookup, Run<?, ?> run) {
        this.context = context;
        this.lookup = lookup;
        this.run = run;
    }

    static StepCredentials of(StepContext context) throws IOException, InterruptedException {
        CredentialLookup lookup = context.get(CredentialLookup.class);
        return new StepCredentials(context, lookup != null ? lookup : CredentialLookup.JENKINS, context.get(Run.class));
    }

    /**
     * The registry of a step: its own {@code registry:} parameter, or the enclosing
     * {@code withSlipwayRegistry}; its own {@code credentialsId:} wins over the enclosing one.
     */
    RegistryAccess registry(String registry, String credentialsId, String function) throws IOException, InterruptedException {
        String url = blankToNull(registry);
        String id = blankToNull(credentialsId);
        if (url == null) {
            RegistryBinding binding = context.get(RegistryBinding.class);
            if (binding == null) {
                throw new AbortException(function + " needs a registry: put it inside withSlipwayRegistry(url: '…', "
                        + "credentialsId: '…') { … }, or give it registry: and credentialsId:");
            }
            url = binding.getUrl();
            id = id != null ? id : binding.getCredentialsId();
        }
        RegistryAccess anonymous;
        try {
            anonymous = new RegistryAccess(url, null, null);
        } catch (IllegalArgumentException e) {
            throw new AbortException(function + ": " + e.getMessage());
        }
        if (id == null) {
            return anonymous;
        }
        // as docker does without an insecure-registries entry: no secret in clear text over a network
        if (url.startsWith("http://") && !anonymous.isLoopbackHttp()) {
            throw new AbortException(function + ": refusing to send credentials to " + url + " over plain HTTP (only to this machine: "
                    + RegistryAccess.LOOPBACK_HOSTS + "); use https://");
        }
        StandardUsernamePasswordCredentials userPassword = lookup.find(id, StandardUsernamePasswordCredentials.class, run);
        if (userPassword != null) {
            return new RegistryAccess(url, userPassword.getUsername(), userPassword.getPassword().getPlainText());
        }
        StringCredentials apiKey = lookup.find(id, StringCredentials.class, run);
        if (apiKey != null) {
            return RegistryAccess.apiKey(url, apiKey.getSecret().getPlainText());
        }
        throw new AbortException(function + ": no credentials \"" + id + "\" for the registry: add a \"Username with "
                + "password\" (user iamapikey, password an API key) or a \"Secret text\" (an API key) with that ID");
    }

    /**
     * Git credentials as plain values for the agent, or {@link GitLogin#NONE} when no ID is given.
     * An SSH key is checked against the agent's {@code ~/.ssh/known_hosts}, or the file that the
     * environment variable {@value #KNOWN_HOSTS} names there.
     */
    GitLogin git(String credentialsId, String function) throws IOException, InterruptedException {
        String id = blankToNull(credentialsId);
        if (id == null) {
            return GitLogin.NONE;
        }
        StandardUsernamePasswordCredentials userPassword = lookup.find(id, StandardUsernamePasswordCredentials.class, run);
        if (userPassword != null) {
            return new GitLogin(userPassword.getUsername(), userPassword.getPassword().getPlainText(), null, null);
        }
        StringCredentials token = lookup.find(id, StringCredentials.class, run);
        if (token != null) {
            return new GitLogin(null, token.getSecret().getPlainText(), null, null);
        }
        SSHUserPrivateKey ssh = lookup.find(id, SSHUserPrivateKey.class, run);
        if (ssh != null) {
            if (ssh.getPassphrase() != null && !ssh.getPassphrase().getPlainText().isEmpty()) {
                throw new AbortException(function + ": the SSH key \"" + id + "\" has a passphrase; give Slipway a key "
                        + "without one (a deploy key of the GitOps repository)");
            }
            if (ssh.getPrivateKeys().isEmpty()) {
                throw new AbortException(function + ": the SSH credentials \"" + id + "\" hold no private key");
            }
            EnvVars env = context.get(EnvVars.class);
            return new GitLogin(ssh.getUsername(), null, ssh.getPrivateKeys().get(0),
                    env == null ? null : blankToNull(env.get(KNOWN_HOSTS, null)));
        }
        throw new AbortException(function + ": no credentials \"" + id + "\" for Git: add a \"Username with password\", "
                + "a \"Secret text\" (a token) or an \"SSH Username with private key\" with that ID");
    }

    /** The PEM text of a signing key. */
    String pem(String credentialsId, String function) throws IOException {
        String id = blankToNull(credentialsId);
        if (id == null) {
            throw new AbortException(function + " needs keyCredentialsId: a \"Secret file\" holding the private key");
        }
        FileCredentials file = lookup.find(id, FileCredentials.class, run);
        if (file != null) {
            try (InputStream in = file.getContent()) {
                // at most a few kilobytes; a bigger file is not a key
                byte[] bytes = in.readNBytes(64 * 1024);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        StringCredentials text = lookup.find(id, StringCredentials.class, run);
        if (text != null) {
            return text.getSecret().getPlainText();
        }
        throw new AbortException(function + ": no credentials \"" + id + "\" for the signing key: add a \"Secret file\" "
                + "(cosign.key or a PKCS#8 PEM) with that ID");
    }

    /** A secret text, or the empty string when no ID is given (an unencrypted key). */
    String text(String credentialsId, String function) throws AbortException {
        String id = blankToNull(credentialsId);
        if (id == null) {
            return "";
        }
        StringCredentials text = lookup.find(id, StringCredentials.class, run);
        if (text == null) {
            throw new AbortException(function + ": no \"Secret text\" credentials \"" + id + "\"");
        }
        return text.getSecret().getPlainText();
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /**
     * Git credentials in a form that travels to the agent: a user and password, a bare token (user
     * null), or an SSH private key (PEM or OpenSSH text) with the known_hosts file to check the
     * server against (null for the agent user's {@code ~/.ssh/known_hosts}).
     */
    static final class GitLogin implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        static final GitLogin NONE = new GitLogin(null, null, null, null);

        final String user;
        final String secret;
        final String sshKey;
        final String knownHosts;

        GitLogin(String user, String secret, String sshKey, String knownHosts) {
            this.user = user;
            this.secret = secret;
            this.sshKey = sshKey;
            this.knownHosts = knownHosts;
        }

        /** The credentials for JGit, where the work runs; an SSH key lives in a private folder until closed. */
        InUse use() throws IOException {
            if (sshKey != null) {
                Path dir = privateFolder();
                Path key = dir.resolve("id_slipway");
                Files.writeString(key, sshKey.endsWith("\n") ? sshKey : sshKey + "\n", StandardCharsets.UTF_8);
                Path hosts = knownHosts != null ? Path.of(knownHosts)
                        : Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
                try {
                    return new InUse(GitCredentials.sshKey(key, hosts), dir);
                } catch (RuntimeException e) {
                    deleteTree(dir);
                    throw e;
                }
            }
            if (secret == null) {
                return new InUse(GitCredentials.none(), null);
            }
            return new InUse(user == null ? GitCredentials.token(secret) : GitCredentials.userPassword(user, secret), null);
        }

        private static Path privateFolder() throws IOException {
            try {
                return Files.createTempDirectory("slipway-ssh",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                return Files.createTempDirectory("slipway-ssh"); // not POSIX (Windows): the user's temp folder
            }
        }

        private static void deleteTree(Path dir) throws IOException {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }

        /** Credentials in use; closing removes the SSH key written for them. */
        static final class InUse implements AutoCloseable {
            private final GitCredentials credentials;
            private final Path folder;

            InUse(GitCredentials credentials, Path folder) {
                this.credentials = credentials;
                this.folder = folder;
            }

            GitCredentials credentials() {
                return credentials;
            }

            @Override
            public void close() throws IOException {
                if (folder != null) {
                    deleteTree(folder);
                }
            }
        }
    }
}
