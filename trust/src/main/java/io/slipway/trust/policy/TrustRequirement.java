package io.slipway.trust.policy;

import io.slipway.trust.IdentityMatch;
import java.util.List;
import java.util.Objects;

/**
 * The image must carry a valid signature, in either format, by one of {@code signerKeys}, naming
 * an identity that {@code signedIdentity} accepts for the image's reference.
 */
public record TrustRequirement(List<SignerKeyRef> signerKeys, IdentityMatch signedIdentity) {

    public TrustRequirement {
        signerKeys = List.copyOf(signerKeys);
        Objects.requireNonNull(signedIdentity, "signedIdentity");
        if (signerKeys.isEmpty()) {
            throw new InvalidPolicyException("trust needs at least one signer key");
        }
    }
}
