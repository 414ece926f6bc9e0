package io.slipway.jenkins;

import java.io.Serializable;

/**
 * What {@code withSlipwayRegistry} hands the steps of its body: the registry and the ID of its
 * credentials, never the secret itself, so nothing secret is written to the build's saved state.
 * Each step looks the credentials up again when it runs.
 */
public final class RegistryBinding implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final String credentialsId;

    public RegistryBinding(String url, String credentialsId) {
        this.url = url;
        this.credentialsId = credentialsId;
    }

    public String getUrl() {
        return url;
    }

    public String getCredentialsId() {
        return credentialsId;
    }
}
