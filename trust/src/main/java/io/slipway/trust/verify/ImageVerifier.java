package io.slipway.trust.verify;

import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignatureFormat;
import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import io.slipway.trust.cosign.CosignVerifier;
import io.slipway.trust.simplesigning.SimpleSigningVerifier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks all signatures of an image, in both formats, against a set of trusted keys of either
 * format: what {@code slipway verify} and the trust requirement of an image policy run.
 */
public final class ImageVerifier {

    private final CosignVerifier cosign;
    private final SimpleSigningVerifier simpleSigning;

    public ImageVerifier(List<SignerKey> keys, Clock clock) {
        List<SignerKey.Cosign> cosignKeys = new ArrayList<>();
        List<SignerKey.OpenPgp> openPgpKeys = new ArrayList<>();
        for (SignerKey key : keys) {
            if (key instanceof SignerKey.Cosign c) {
                cosignKeys.add(c);
            } else if (key instanceof SignerKey.OpenPgp o) {
                openPgpKeys.add(o);
            }
        }
        this.cosign = new CosignVerifier(cosignKeys);
        this.simpleSigning = new SimpleSigningVerifier(openPgpKeys, clock);
    }

    public VerificationResult verify(Image image, ImageSignatures signatures, IdentityMatch rule) {
        List<VerifiedSignature> accepted = new ArrayList<>();
        List<VerificationResult.Refusal> refused = new ArrayList<>();
        for (int i = 0; i < signatures.cosign().size(); i++) {
            try {
                accepted.add(cosign.verify(signatures.cosign().get(i), image, rule));
            } catch (SignatureVerificationException e) {
                refused.add(new VerificationResult.Refusal(SignatureFormat.COSIGN, i, e.reason(), e.getMessage()));
            }
        }
        for (int i = 0; i < signatures.simpleSigning().size(); i++) {
            try {
                accepted.add(simpleSigning.verify(signatures.simpleSigning().get(i), image, rule));
            } catch (SignatureVerificationException e) {
                refused.add(new VerificationResult.Refusal(SignatureFormat.SIMPLE_SIGNING, i, e.reason(), e.getMessage()));
            }
        }
        return new VerificationResult(accepted, refused);
    }
}
