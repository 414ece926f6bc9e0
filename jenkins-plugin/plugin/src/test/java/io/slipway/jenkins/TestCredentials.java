package io.slipway.jenkins;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import java.util.List;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.common.IdCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.model.Run;
import hudson.util.Secret;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/** The credentials store of a test: the kinds the Credentials plugin offers, by ID. */
final class TestCredentials implements CredentialLookup, Serializable {
    private final Map<String, Credentials> byId = new LinkedHashMap<>();
    final Map<String, Integer> lookups = new LinkedHashMap<>();

    TestCredentials userPassword(String id, String user, String password) {
        byId.put(id, new UserPassword(id, user, Secret.fromString(password)));
        return this;
    }

    TestCredentials text(String id, String secret) {
        byId.put(id, new Text(id, Secret.fromString(secret)));
        return this;
    }

    TestCredentials sshKey(String id, String user, String privateKey, String passphrase) {
        byId.put(id, new SshKey(id, user, passphrase == null ? null : Secret.fromString(passphrase), List.of(privateKey)));
        return this;
    }

    TestCredentials file(String id, String fileName, byte[] content) {
        byId.put(id, new SecretFile(id, fileName, content));
        return this;
    }

    @Override
    public synchronized <C extends IdCredentials> C find(String id, Class<C> type, Run<?, ?> run) {
        lookups.merge(id, 1, Integer::sum);
        Credentials c = byId.get(id);
        return type.isInstance(c) ? type.cast(c) : null;
    }

    record UserPassword(String getId, String getUsername, Secret getPassword) implements StandardUsernamePasswordCredentials {
        @Override
        public String getDescription() {
            return "";
        }
    }

    record Text(String getId, Secret getSecret) implements StringCredentials {
        @Override
        public String getDescription() {
            return "";
        }
    }

    record SshKey(String getId, String getUsername, Secret getPassphrase, List<String> getPrivateKeys) implements SSHUserPrivateKey {
        @Override
        public String getDescription() {
            return "";
        }
    }

    record SecretFile(String getId, String getFileName, byte[] bytes) implements FileCredentials {
        @Override
        public String getDescription() {
            return "";
        }

        @Override
        public InputStream getContent() {
            return new ByteArrayInputStream(bytes);
        }
    }
}
