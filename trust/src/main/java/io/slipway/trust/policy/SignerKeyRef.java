package io.slipway.trust.policy;

/**
 * A key a trust requirement accepts: either the name of a key the registry keeps (resolved by a
 * {@link SignerKeyResolver}, as Portieris names a Kubernetes secret), or the public key itself,
 * inline (a cosign PEM public key or an armored OpenPGP key).
 */
public record SignerKeyRef(String name, String publicKey) {

    public SignerKeyRef {
        if ((name == null) == (publicKey == null)) {
            throw new InvalidPolicyException("a signer key has either a name or a publicKey");
        }
    }

    public static SignerKeyRef named(String name) {
        return new SignerKeyRef(name, null);
    }

    public static SignerKeyRef inline(String publicKey) {
        return new SignerKeyRef(null, publicKey);
    }

    public boolean isInline() {
        return publicKey != null;
    }
}
