package io.slipway.trust.cosign;

import io.slipway.oci.Digest;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignatureFormat;
import io.slipway.trust.SignaturePayload;
import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * Verifies cosign signatures against trusted public keys, in the order containers/image does: the
 * signature over the exact payload bytes first, and only then the payload's contents, which are
 * not to be believed before.
 */
public final class CosignVerifier {

    private final List<SignerKey.Cosign> keys;

    public CosignVerifier(List<SignerKey.Cosign> keys) {
        this.keys = List.copyOf(keys);
    }

    /**
     * Accepts {@code signature} for {@code image}, or says why not.
     *
     * @param rule how the signed identity must match the image's reference
     */
    public VerifiedSignature verify(CosignSignature signature, Image image, IdentityMatch rule)
            throws SignatureVerificationException {
        if (signature.base64Signature().isEmpty()) {
            throw new SignatureVerificationException(Reason.MALFORMED_SIGNATURE,
                    "signature layer has no " + CosignFormat.SIGNATURE_ANNOTATION + " annotation");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(signature.base64Signature());
        } catch (IllegalArgumentException e) {
            throw new SignatureVerificationException(Reason.MALFORMED_SIGNATURE, "signature annotation is not valid base64");
        }
        byte[] payloadBytes = signature.payload();
        SignerKey.Cosign signer = null;
        for (SignerKey.Cosign key : keys) {
            if (verifies(key, payloadBytes, der)) {
                signer = key;
                break;
            }
        }
        if (signer == null) {
            // ECDSA cannot tell a foreign key from changed content; both mean the same thing here.
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE,
                    "cosign signature does not verify with " + describeKeys() + " (another signer, or changed content)");
        }
        SignaturePayload payload = SignaturePayload.parse(payloadBytes, SignaturePayload.Type.COSIGN);
        payload.requireMatches(image, rule);
        return new VerifiedSignature(SignatureFormat.COSIGN, signer.name(),
                Digest.sha256(signer.key().getEncoded()).toString(), payload);
    }

    private static boolean verifies(SignerKey.Cosign key, byte[] payload, byte[] der) {
        try {
            Signature ecdsa = Signature.getInstance("SHA256withECDSA");
            ecdsa.initVerify(key.key());
            ecdsa.update(payload);
            return ecdsa.verify(der);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // a signature that is not even DER is simply not valid
        }
    }

    private String describeKeys() {
        if (keys.isEmpty()) {
            return "no trusted cosign key";
        }
        return keys.size() == 1 ? "key " + keys.get(0).name()
                : "any of the keys " + keys.stream().map(SignerKey::name).toList();
    }
}
