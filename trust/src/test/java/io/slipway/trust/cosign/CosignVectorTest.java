package io.slipway.trust.cosign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignatureFormat;
import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import io.slipway.trust.keys.EcKeys;
import io.slipway.trust.keys.KeyFiles;
import io.slipway.trust.testing.Vectors;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The signature skopeo 1.18 stored at sha256-<hex>.sig, checked against its key and against tampering. */
class CosignVectorTest {

    private static final SignerKey.Cosign SIGNER = new SignerKey.Cosign("vector-signer", KeyFiles.readPublicKey(Vectors.text("cosign/signer.pub")));
    private static final Image IMAGE = Image.of(Vectors.IMAGE_REFERENCE, Vectors.bytes("cosign/image-manifest.json"));

    @Test
    void theImageManifestHasTheDigestTheReadmeGives() {
        assertThat(IMAGE.manifestDigest()).hasToString(Vectors.IMAGE_DIGEST);
    }

    @Test
    void verifiesWithTheSignersKey() throws Exception {
        CosignSignature signature = storedSignature();
        VerifiedSignature verified = new CosignVerifier(List.of(SIGNER)).verify(signature, IMAGE, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        assertThat(verified.format()).isEqualTo(SignatureFormat.COSIGN);
        assertThat(verified.signer()).isEqualTo("vector-signer");
        assertThat(verified.keyId()).startsWith("sha256:");
        assertThat(verified.payload().dockerReference()).isEqualTo(Vectors.IMAGE_REFERENCE);
        assertThat(verified.payload().creator()).isEqualTo("containers/image 5.34.2");

        // Pulled by digest, the same signature covers the repository.
        Image byDigest = Image.of("127.0.0.1:5090/vectors/app@" + Vectors.IMAGE_DIGEST, IMAGE.manifestDigest());
        new CosignVerifier(List.of(SIGNER)).verify(signature, byDigest, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
    }

    @Test
    void refusesAnyOtherKey() throws Exception {
        SignerKey.Cosign other = new SignerKey.Cosign("other", EcKeys.generateP256(new SecureRandom()).getPublic());
        assertRefused(new CosignVerifier(List.of(other)), storedSignature(), IMAGE, Reason.BAD_SIGNATURE);
        assertRefused(new CosignVerifier(List.of()), storedSignature(), IMAGE, Reason.BAD_SIGNATURE);
    }

    @Test
    void refusesEveryOneByteChangeOfThePayload() throws Exception {
        CosignSignature original = storedSignature();
        byte[] payload = original.payload();
        CosignVerifier verifier = new CosignVerifier(List.of(SIGNER));
        for (int i = 0; i < payload.length; i++) {
            byte[] changed = payload.clone();
            changed[i] ^= 0x01;
            assertRefused(verifier, new CosignSignature(changed, original.base64Signature()), IMAGE, Reason.BAD_SIGNATURE);
        }
    }

    @Test
    void refusesAChangedSignature() throws Exception {
        CosignSignature original = storedSignature();
        byte[] der = java.util.Base64.getDecoder().decode(original.base64Signature());
        CosignVerifier verifier = new CosignVerifier(List.of(SIGNER));
        for (int i = 0; i < der.length; i++) {
            byte[] changed = der.clone();
            changed[i] ^= 0x01;
            assertRefused(verifier, new CosignSignature(original.payload(), java.util.Base64.getEncoder().encodeToString(changed)),
                    IMAGE, null);
        }
        assertRefused(verifier, new CosignSignature(original.payload(), "not base64!"), IMAGE, Reason.MALFORMED_SIGNATURE);
    }

    @Test
    void refusesItForAnotherImage() throws Exception {
        Image otherManifest = Image.of(Vectors.IMAGE_REFERENCE, Digest.sha256("{\"schemaVersion\":2}"));
        assertRefused(new CosignVerifier(List.of(SIGNER)), storedSignature(), otherManifest, Reason.DIGEST_MISMATCH);
        Image otherName = Image.of("127.0.0.1:5090/vectors/other:v1", IMAGE.manifestDigest());
        assertRefused(new CosignVerifier(List.of(SIGNER)), storedSignature(), otherName, Reason.IDENTITY_MISMATCH);
        Image otherTag = Image.of("127.0.0.1:5090/vectors/app:v2", IMAGE.manifestDigest());
        assertRefused(new CosignVerifier(List.of(SIGNER)), storedSignature(), otherTag, Reason.IDENTITY_MISMATCH);
    }

    @Test
    void rewritesSkopeosManifestAndConfigByteForByte() {
        SignatureManifest manifest = SignatureManifest.parse(Vectors.bytes("cosign/signature-manifest.json"));
        SignatureArtifact artifact = manifest.toTagForm(IMAGE.manifestDigest());
        assertThat(artifact.tag()).isEqualTo("sha256-06ccbe521fe15357343d8400aab0997585041ec6e0a5121f2b65e6bf81538f1b.sig");
        assertThat(artifact.manifest()).isEqualTo(Vectors.bytes("cosign/signature-manifest.json"));
        assertThat(artifact.blobs()).hasSize(1);
        assertThat(artifact.blobs().get(0).content()).isEqualTo(Vectors.bytes("cosign/signature-config.json"));
    }

    @Test
    void refusesAPayloadBlobThatDoesNotMatchItsDescriptor() {
        SignatureManifest manifest = SignatureManifest.parse(Vectors.bytes("cosign/signature-manifest.json"));
        byte[] changed = Vectors.bytes("cosign/signature-payload.json");
        changed[10] ^= 1;
        assertThatThrownBy(() -> manifest.signatures(d -> changed)).isInstanceOf(IOException.class);
    }

    @Test
    void doesNotReadAPayloadTooLargeToBeOne() {
        String huge = new String(Vectors.bytes("cosign/signature-manifest.json")).replace("\"size\":301", "\"size\":2000000000");
        SignatureManifest manifest = SignatureManifest.parse(huge.getBytes());
        assertThatThrownBy(() -> manifest.signatures(d -> {
            throw new AssertionError("must not be read");
        })).isInstanceOf(IOException.class).hasMessageContaining("more than a signature payload can be");
    }

    static CosignSignature storedSignature() throws IOException {
        SignatureManifest manifest = SignatureManifest.parse(Vectors.bytes("cosign/signature-manifest.json"));
        List<CosignSignature> signatures = manifest.signatures(CosignVectorTest::blob);
        assertThat(signatures).hasSize(1);
        return signatures.get(0);
    }

    private static byte[] blob(Descriptor descriptor) throws IOException {
        byte[] payload = Vectors.bytes("cosign/signature-payload.json");
        if (!descriptor.digest().matches(payload)) {
            throw new IOException("no blob " + descriptor.digest());
        }
        return payload;
    }

    static void assertRefused(CosignVerifier verifier, CosignSignature signature, Image image, Reason reason) {
        assertThatThrownBy(() -> verifier.verify(signature, image, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT))
                .isInstanceOf(SignatureVerificationException.class)
                .satisfies(e -> {
                    if (reason != null) {
                        assertThat(((SignatureVerificationException) e).reason()).isEqualTo(reason);
                    }
                });
    }
}
