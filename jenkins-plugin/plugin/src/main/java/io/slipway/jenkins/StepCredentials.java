package io.slipway.jenkins;

import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.AbortException;
import hudson.model.Run;
import io.slipway.pipeline.RegistryAccess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * Turns the credential IDs of a step into what pipeline-core takes. Which kinds are accepted, per
 * use: a registry takes "Username with password" (user {@code iamapikey} with an API key, or a
 * user's password) or "Secret text" (an API key); Git takes "Username with password" or "Secret
 * text" (a token); a signing key is a "Secret file" or "Secret text" holding the PEM.
 */
final class StepCredentials {
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

    /** Git credentials as plain values for the agent, or {@link GitLogin#NONE} when no ID is given. */
    GitLogin git(String credentialsId, String function) throws AbortException {
        String id = blankToNull(credentialsId);
        if (id == null) {
            return GitLogin.NONE;
        }
        StandardUsernamePasswordCredentials userPassword = lookup.find(id, StandardUsernamePasswordCredentials.class, run);
        if (userPassword != null) {
            return new GitLogin(userPassword.getUsername(), userPassword.getPassword().getPlainText());
        }
        StringCredentials token = lookup.find(id, StringCredentials.class, run);
        if (token != null) {
            return new GitLogin(null, token.getSecret().getPlainText());
        }
        throw new AbortException(function + ": no credentials \"" + id + "\" for Git: add a \"Username with password\" "
                + "or a \"Secret text\" (a token) with that ID");
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

    /** Git credentials in a form that travels to the agent; user null means a bare token. */
    static final class GitLogin implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        static final GitLogin NONE = new GitLogin(null, null);

        final String user;
        final String secret;

        GitLogin(String user, String secret) {
            this.user = user;
            this.secret = secret;
        }

        io.slipway.gitops.GitCredentials credentials() {
            if (secret == null) {
                return io.slipway.gitops.GitCredentials.none();
            }
            return user == null ? io.slipway.gitops.GitCredentials.token(secret)
                    : io.slipway.gitops.GitCredentials.userPassword(user, secret);
        }
    }
}
