package io.slipway.trust.simplesigning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignatureFormat;
import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import io.slipway.trust.testing.Vectors;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The signature skopeo 1.9 made with GnuPG 2.2 (standalone-sign), checked against its key and against tampering. */
class SimpleSigningVectorTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Image IMAGE = Image.of(Vectors.IMAGE_REFERENCE, Vectors.bytes("simple-signing/image-manifest.json"));
    private static final SignerKey.OpenPgp SIGNER = new SignerKey.OpenPgp("vector-signer",
            OpenPgpKeys.readPublicKeys(Vectors.bytes("simple-signing/signer.pub.asc")));
    private static final SignerKey.OpenPgp OTHER = new SignerKey.OpenPgp("other",
            OpenPgpKeys.readPublicKeys(Vectors.bytes("simple-signing/other.pub.asc")));

    @Test
    void verifiesWithTheSignersKey() throws Exception {
        VerifiedSignature verified = new SimpleSigningVerifier(List.of(OTHER, SIGNER), CLOCK)
                .verify(Vectors.bytes("simple-signing/signature.bin"), IMAGE, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        assertThat(verified.format()).isEqualTo(SignatureFormat.SIMPLE_SIGNING);
        assertThat(verified.signer()).isEqualTo("vector-signer");
        assertThat(verified.keyId()).isEqualTo(Vectors.text("simple-signing/signer.fingerprint").strip());
        assertThat(verified.payload().dockerReference()).isEqualTo(Vectors.IMAGE_REFERENCE);
        assertThat(verified.payload().manifestDigest()).hasToString(Vectors.IMAGE_DIGEST);
    }

    @Test
    void refusesTheOtherKey() {
        assertRefused(new SimpleSigningVerifier(List.of(OTHER), CLOCK), Vectors.bytes("simple-signing/signature.bin"), IMAGE,
                Reason.UNKNOWN_SIGNER);
    }

    @Test
    void refusesItForAnotherImage() {
        SimpleSigningVerifier verifier = new SimpleSigningVerifier(List.of(SIGNER), CLOCK);
        byte[] signature = Vectors.bytes("simple-signing/signature.bin");
        assertRefused(verifier, signature, Image.of(Vectors.IMAGE_REFERENCE, Digest.sha256("other")), Reason.DIGEST_MISMATCH);
        assertRefused(verifier, signature, Image.of("127.0.0.1:5090/vectors/other:v1", IMAGE.manifestDigest()), Reason.IDENTITY_MISMATCH);
    }

    @Test
    void refusesEveryOneByteChange() {
        SimpleSigningVerifier verifier = new SimpleSigningVerifier(List.of(SIGNER), CLOCK);
        byte[] original = Vectors.bytes("simple-signing/signature.bin");
        List<Integer> accepted = new ArrayList<>();
        for (int i = 0; i < original.length; i++) {
            byte[] changed = original.clone();
            changed[i] ^= 0x01;
            try {
                verifier.verify(changed, IMAGE, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
                accepted.add(i);
            } catch (SignatureVerificationException expected) {
                // refused, as it must be
            }
        }
        assertThat(accepted).as("positions whose change was accepted").isEmpty();
    }

    static void assertRefused(SimpleSigningVerifier verifier, byte[] signature, Image image, Reason reason) {
        assertThatThrownBy(() -> verifier.verify(signature, image, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT))
                .isInstanceOf(SignatureVerificationException.class)
                .satisfies(e -> assertThat(((SignatureVerificationException) e).reason()).isEqualTo(reason));
    }
}
