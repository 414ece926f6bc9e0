package com.cloudbees.plugins.credentials.common;

import com.cloudbees.plugins.credentials.Credentials;

public interface PasswordCredentials extends Credentials {
    hudson.util.Secret getPassword();
}
