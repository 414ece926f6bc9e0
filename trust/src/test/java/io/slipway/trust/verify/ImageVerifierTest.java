package io.slipway.trust.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Descriptor;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignatureFormat;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.cosign.CosignSignature;
import io.slipway.trust.cosign.SignatureManifest;
import io.slipway.trust.keys.KeyFileException;
import io.slipway.trust.testing.Vectors;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both real-signer vectors at once, through the verifier the CLI and the policies use. */
class ImageVerifierTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Image IMAGE = Image.of(Vectors.IMAGE_REFERENCE, Vectors.bytes("cosign/image-manifest.json"));

    @Test
    void readsEitherKeyFormatByContent() {
        assertThat(SignerKeys.parse("c", Vectors.bytes("cosign/signer.pub"))).isInstanceOf(SignerKey.Cosign.class);
        assertThat(SignerKeys.parse("p", Vectors.bytes("simple-signing/signer.pub.asc"))).isInstanceOf(SignerKey.OpenPgp.class);
        assertThatThrownBy(() -> SignerKeys.parse("x", "hello".getBytes())).isInstanceOf(KeyFileException.class);
        assertThatThrownBy(() -> SignerKeys.parse("x", Vectors.bytes("cosign/signer.private"))).isInstanceOf(KeyFileException.class);
    }

    @Test
    void acceptsEachFormatWithItsKey() {
        ImageSignatures both = new ImageSignatures(List.of(cosignVector()), List.of(Vectors.bytes("simple-signing/signature.bin")));
        ImageVerifier verifier = new ImageVerifier(List.of(
                SignerKeys.parse("cosign-key", Vectors.bytes("cosign/signer.pub")),
                SignerKeys.parse("gpg-key", Vectors.bytes("simple-signing/signer.pub.asc"))), CLOCK);

        VerificationResult result = verifier.verify(IMAGE, both, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        assertThat(result.isVerified()).isTrue();
        assertThat(result.refused()).isEmpty();
        assertThat(result.accepted()).extracting(v -> v.format() + ":" + v.signer())
                .containsExactly("COSIGN:cosign-key", "SIMPLE_SIGNING:gpg-key");
        assertThat(result.summary()).startsWith("signed by cosign-key (cosign, sha256:").contains("gpg-key (simple-signing, 8026017AEBD185820BF52941A7096425FF040452)");
    }

    @Test
    void saysWhyEachSignatureWasRefused() {
        ImageSignatures both = new ImageSignatures(List.of(cosignVector()), List.of(Vectors.bytes("simple-signing/signature.bin")));
        ImageVerifier otherKeys = new ImageVerifier(List.of(SignerKeys.parse("other", Vectors.bytes("simple-signing/other.pub.asc"))), CLOCK);

        VerificationResult result = otherKeys.verify(IMAGE, both, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        assertThat(result.isVerified()).isFalse();
        assertThat(result.refused()).extracting(VerificationResult.Refusal::format, VerificationResult.Refusal::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(SignatureFormat.COSIGN, Reason.BAD_SIGNATURE),
                        org.assertj.core.groups.Tuple.tuple(SignatureFormat.SIMPLE_SIGNING, Reason.UNKNOWN_SIGNER));
        assertThat(result.summary()).startsWith("no valid signature: cosign signature 1: ").contains("simple-signing signature 1: ");
        assertThat(otherKeys.verify(IMAGE, ImageSignatures.none(), IdentityMatch.MATCH_EXACT).summary()).isEqualTo("no signature found");
    }

    static CosignSignature cosignVector() {
        try {
            SignatureManifest manifest = SignatureManifest.parse(Vectors.bytes("cosign/signature-manifest.json"));
            return manifest.signatures((Descriptor d) -> Vectors.bytes("cosign/signature-payload.json")).get(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
