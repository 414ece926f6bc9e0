package com.cloudbees.plugins.credentials.common;

/** A drop-down of StandardCredentials IDs. */
public class StandardListBoxModel extends AbstractIdCredentialsListBoxModel<StandardListBoxModel, StandardCredentials> {
    @Override
    protected String describe(StandardCredentials c) {
        return c.getId();
    }
}
