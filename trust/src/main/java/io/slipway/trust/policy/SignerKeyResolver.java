package io.slipway.trust.policy;

import io.slipway.trust.SignerKey;
import java.util.Optional;

/**
 * Finds a signer key a policy names. The registry keeps keys per namespace (an ImagePolicy's keys)
 * and registry-wide (a ClusterImagePolicy's).
 */
@FunctionalInterface
public interface SignerKeyResolver {

    /**
     * @param namespace the namespace of the ImagePolicy naming the key, or null for a ClusterImagePolicy
     * @param name      the key's name in the policy
     */
    Optional<SignerKey> resolve(String namespace, String name);
}
