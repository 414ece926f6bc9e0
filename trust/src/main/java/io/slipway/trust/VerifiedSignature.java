package io.slipway.trust;

/**
 * A signature that passed every check: made by a trusted key, over this image's digest, naming an
 * identity the image's reference matches.
 *
 * @param format  which format it was in
 * @param signer  the name of the trusted {@link SignerKey} that verified it
 * @param keyId   the exact key that signed: the OpenPGP fingerprint (upper-case hex) of the signing
 *                (sub)key, or {@code sha256:<hex>} of a cosign public key's DER encoding
 * @param payload the signed payload, now trustworthy
 */
public record VerifiedSignature(SignatureFormat format, String signer, String keyId, SignaturePayload payload) {
}
