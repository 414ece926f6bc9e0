package com.cloudbees.jenkins.plugins.sshcredentials;

import com.cloudbees.plugins.credentials.common.StandardUsernameCredentials;

/** ssh-credentials' (deprecated) base of SSH credentials. */
@Deprecated
public interface SSHUser extends StandardUsernameCredentials {
}
