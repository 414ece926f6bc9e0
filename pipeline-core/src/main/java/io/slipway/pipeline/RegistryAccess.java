package io.slipway.pipeline;

import io.slipway.oci.client.CredentialPolicy;
import io.slipway.oci.client.RegistryClient;
import java.net.URI;

/**
 * The registry a step talks to and the credentials of the step.
 *
 * @param url    {@code http(s)://host:port}
 * @param user   {@code iamapikey} for an API key, or null for anonymous access
 * @param secret the API key or password
 */
public record RegistryAccess(String url, String user, String secret) {
    /** Never the secret: a record's toString ends up in logs and exception messages. */
    @Override
    public String toString() {
        return "RegistryAccess[url=" + url + ", user=" + user + ", secret=" + (secret == null ? "none" : "***") + "]";
    }

    public static final String API_KEY_USER = "iamapikey";

    public RegistryAccess {
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new IllegalArgumentException("registry URL must start with http:// or https://: " + url);
        }
        url = url.replaceAll("/+$", "");
    }

    public static RegistryAccess apiKey(String url, String key) {
        return new RegistryAccess(url, API_KEY_USER, key);
    }

    /** {@code host:port}, as image references name the registry. */
    public String host() {
        URI uri = URI.create(url);
        return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }

    /** The hosts a secret may go to over plain HTTP, as the docs and form messages name them. */
    public static final String LOOPBACK_HOSTS = CredentialPolicy.LOOPBACK_HOSTS;

    /**
     * Plain HTTP to this machine ({@link #LOOPBACK_HOSTS}): the only case where credentials may
     * travel unencrypted, as docker allows it without an insecure-registries entry.
     */
    public boolean isLoopbackHttp() {
        return url.startsWith("http://") && CredentialPolicy.isLoopback(URI.create(url));
    }

    /** True when this step's credentials may go to the registry: HTTPS, or plain HTTP to loopback. */
    public boolean credentialsMayGo() {
        return user == null || CredentialPolicy.safeForCredentials(URI.create(url));
    }

    public RegistryClient client() {
        return new RegistryClient(url, user, secret);
    }
}
