package com.cloudbees.jenkins.plugins.sshcredentials;

import hudson.util.Secret;
import java.util.List;

/** "SSH Username with private key" (ssh-credentials 349.x); the deprecated getPrivateKey() is left out. */
@SuppressWarnings("deprecation")
public interface SSHUserPrivateKey extends SSHUser {
    Secret getPassphrase();

    List<String> getPrivateKeys();
}
