package io.slipway.trust.policy;

/**
 * What a matching image must satisfy. Either part may be absent (null); a rule with neither admits
 * every image it matches, as an empty Portieris policy does.
 */
public record Requirements(TrustRequirement trust, VulnerabilityRequirement vulnerability) {

    public static Requirements none() {
        return new Requirements(null, null);
    }

    public boolean isEmpty() {
        return trust == null && vulnerability == null;
    }
}
