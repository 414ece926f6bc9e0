package io.slipway.trust;

import java.util.Locale;

/**
 * How the identity a signature claims ({@code critical.identity.docker-reference}) must relate to
 * the reference of the image being checked: the {@code signedIdentity} rules of
 * containers-policy.json. A signature that passes the cryptographic check still proves nothing
 * about an image it does not name, so this check is never skipped.
 */
public enum IdentityMatch {
    /** Both references must be identical, and both must carry a tag or a digest. */
    MATCH_EXACT("matchExact"),
    /**
     * When the image is referenced by digest, the repositories must match (the digest itself is
     * compared against the manifest separately); otherwise as {@link #MATCH_EXACT}. The default of
     * containers-policy.json, since it lets one signature cover every {@code @digest} pull.
     */
    MATCH_REPO_DIGEST_OR_EXACT("matchRepoDigestOrExact"),
    /** Only the repositories must match: a signature for {@code app:v1} also covers {@code app:v2}. */
    MATCH_REPOSITORY("matchRepository");

    private final String policyName;

    IdentityMatch(String policyName) {
        this.policyName = policyName;
    }

    /** The name used in containers-policy.json and in Slipway's policy YAML. */
    public String policyName() {
        return policyName;
    }

    /** The rule called {@code name} in containers-policy.json (case-insensitive). */
    public static IdentityMatch fromPolicyName(String name) {
        for (IdentityMatch m : values()) {
            if (m.policyName.toLowerCase(Locale.ROOT).equals(name == null ? "" : name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown signedIdentity \"" + name
                + "\" (expected matchExact, matchRepoDigestOrExact or matchRepository)");
    }

    /** True when a signature claiming {@code signed} may stand for the image known as {@code image}. */
    public boolean matches(DockerReference image, DockerReference signed) {
        return switch (this) {
            case MATCH_EXACT -> !image.isNameOnly() && !signed.isNameOnly()
                    && image.toString().equals(signed.toString());
            case MATCH_REPO_DIGEST_OR_EXACT -> {
                if (signed.isNameOnly()) {
                    yield false;
                }
                if (image.tag() != null) {
                    yield image.toString().equals(signed.toString());
                }
                yield image.digest() != null && image.name().equals(signed.name());
            }
            case MATCH_REPOSITORY -> image.name().equals(signed.name());
        };
    }
}
