package io.slipway.trust.cosign;

import static io.slipway.trust.cosign.CosignVectorTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.Manifest;
import io.slipway.oci.MediaTypes;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignaturePayload;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import io.slipway.trust.keys.EcKeys;
import io.slipway.trust.keys.KeyFiles;
import io.slipway.trust.testing.Vectors;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CosignSigningTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] MANIFEST = Vectors.bytes("cosign/image-manifest.json");
    private static final Image IMAGE = Image.of("registry.local:5000/team/app:1.0", MANIFEST);

    private final KeyPair alice = EcKeys.generateP256(RANDOM);
    private final KeyPair bob = EcKeys.generateP256(RANDOM);

    @Test
    void signsAndVerifies() throws Exception {
        CosignSignature signature = new CosignSigner((ECPrivateKey) alice.getPrivate(), CLOCK).sign(IMAGE);

        SignaturePayload payload = SignaturePayload.parse(signature.payload(), SignaturePayload.Type.COSIGN);
        assertThat(payload.dockerReference()).isEqualTo("registry.local:5000/team/app:1.0");
        assertThat(payload.manifestDigest()).isEqualTo(IMAGE.manifestDigest());
        assertThat(payload.creator()).isEqualTo("Slipway");
        assertThat(payload.timestamp()).isEqualTo(CLOCK.instant().getEpochSecond());

        VerifiedSignature verified = verifier(alice).verify(signature, IMAGE, IdentityMatch.MATCH_EXACT);
        assertThat(verified.signer()).isEqualTo("alice");
        assertThat(verified.keyId()).isEqualTo(Digest.sha256(alice.getPublic().getEncoded()).toString());
    }

    @Test
    void signsWithTheKeySkopeoGenerated() throws Exception {
        ECPrivateKey skopeoKey = KeyFiles.readPrivateKey(Vectors.text("cosign/signer.private"), Vectors.text("cosign/passphrase.txt").toCharArray());
        CosignSignature signature = new CosignSigner(skopeoKey, CLOCK).sign(IMAGE);
        SignerKey.Cosign published = new SignerKey.Cosign("skopeo", KeyFiles.readPublicKey(Vectors.text("cosign/signer.pub")));
        assertThat(new CosignVerifier(List.of(published)).verify(signature, IMAGE, IdentityMatch.MATCH_EXACT).signer()).isEqualTo("skopeo");
    }

    @Test
    void refusesTamperingAndStrangers() {
        CosignSignature signature = new CosignSigner((ECPrivateKey) alice.getPrivate(), CLOCK).sign(IMAGE);

        // Payload: another digest, signed over by nobody.
        byte[] forged = new String(signature.payload(), StandardCharsets.UTF_8)
                .replace(IMAGE.manifestDigest().toString(), Digest.sha256("evil").toString()).getBytes(StandardCharsets.UTF_8);
        assertRefused(verifier(alice), new CosignSignature(forged, signature.base64Signature()), IMAGE, Reason.BAD_SIGNATURE);
        // Signature: another signer's signature over the same payload.
        CosignSignature bobs = new CosignSigner((ECPrivateKey) bob.getPrivate(), CLOCK).signBytes(signature.payload());
        assertRefused(verifier(alice), bobs, IMAGE, Reason.BAD_SIGNATURE);
        // Digest: a different image.
        assertRefused(verifier(alice), signature, Image.of("registry.local:5000/team/app:1.0", Digest.sha256("other")), Reason.DIGEST_MISMATCH);
        // Reference: the same digest under another name.
        assertRefused(verifier(alice), signature, Image.of("registry.local:5000/team/evil:1.0", MANIFEST), Reason.IDENTITY_MISMATCH);
        // Wrong key.
        assertRefused(verifier(bob), signature, IMAGE, Reason.BAD_SIGNATURE);
    }

    @Test
    void aSignerSigningAPayloadWithAnUnknownCriticalMemberIsStillRefused() {
        String json = new String(SignaturePayload.forImage(SignaturePayload.Type.COSIGN, IMAGE, "x", 1).toJson(), StandardCharsets.UTF_8)
                .replace("\"type\":", "\"valid-until\":0,\"type\":");
        CosignSignature signature = new CosignSigner((ECPrivateKey) alice.getPrivate(), CLOCK).signBytes(json.getBytes(StandardCharsets.UTF_8));
        assertRefused(verifier(alice), signature, IMAGE, Reason.MALFORMED_PAYLOAD);
    }

    @Test
    void addingASignatureAppendsALayer() throws Exception {
        CosignSignature first = new CosignSigner((ECPrivateKey) alice.getPrivate(), CLOCK).sign(IMAGE);
        CosignSignature second = new CosignSigner((ECPrivateKey) bob.getPrivate(), Clock.offset(CLOCK, java.time.Duration.ofMinutes(5))).sign(IMAGE);

        SignatureArtifact one = SignatureManifest.empty().add(first).toTagForm(IMAGE.manifestDigest());
        Map<Digest, byte[]> registry = new HashMap<>();
        one.blobs().forEach(b -> registry.put(b.digest(), b.content()));

        // The second signer reads what is stored and appends.
        SignatureManifest stored = SignatureManifest.parse(one.manifest());
        SignatureArtifact two = stored.add(second).toTagForm(IMAGE.manifestDigest());
        two.blobs().forEach(b -> registry.put(b.digest(), b.content()));

        Manifest parsed = Manifest.parse(two.manifest(), two.mediaType());
        assertThat(parsed.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(parsed.layers()).hasSize(2);
        assertThat(parsed.layers()).allSatisfy(l -> {
            assertThat(l.mediaType()).isEqualTo("application/vnd.dev.cosign.simplesigning.v1+json");
            assertThat(l.annotations()).containsKey("dev.cosignproject.cosign/signature");
        });
        assertThat(parsed.layers().get(0)).isEqualTo(Manifest.parse(one.manifest(), null).layers().get(0));
        // Only the new payload and the new config need uploading.
        assertThat(two.blobs()).extracting(SignatureArtifact.Blob::digest)
                .containsExactly(parsed.config().digest(), Digest.sha256(second.payload()));
        JsonNode config = new ObjectMapper().readTree(registry.get(parsed.config().digest()));
        assertThat(config.at("/rootfs/diff_ids").toString())
                .isEqualTo("[\"" + Digest.sha256(first.payload()) + "\",\"" + Digest.sha256(second.payload()) + "\"]");

        List<CosignSignature> read = SignatureManifest.parse(two.manifest()).signatures(d -> registry.get(d.digest()));
        assertThat(read).containsExactly(first, second);
        CosignVerifier both = new CosignVerifier(List.of(key("alice", alice), key("bob", bob)));
        assertThat(both.verify(read.get(0), IMAGE, IdentityMatch.MATCH_EXACT).signer()).isEqualTo("alice");
        assertThat(both.verify(read.get(1), IMAGE, IdentityMatch.MATCH_EXACT).signer()).isEqualTo("bob");
    }

    @Test
    void addingTheSameSignatureTwiceChangesNothing() {
        CosignSignature signature = new CosignSigner((ECPrivateKey) alice.getPrivate(), CLOCK).sign(IMAGE);
        SignatureManifest once = SignatureManifest.empty().add(signature);
        SignatureManifest twice = SignatureManifest.parse(once.toTagForm(IMAGE.manifestDigest()).manifest()).add(signature);
        assertThat(twice.layers()).hasSize(1);
        assertThat(twice.toTagForm(IMAGE.manifestDigest()).digest()).isEqualTo(once.toTagForm(IMAGE.manifestDigest()).digest());
    }

    @Test
    void keepsOtherAnnotationsOfALayer() throws Exception {
        CosignSignature signature = new CosignSigner((ECPrivateKey) alice.getPrivate(), CLOCK).sign(IMAGE);
        CosignSignature withCertificate = new CosignSignature(signature.payload(), signature.base64Signature(),
                Map.of("dev.sigstore.cosign/certificate", "-----BEGIN CERTIFICATE-----"));
        SignatureArtifact artifact = SignatureManifest.empty().add(withCertificate).toTagForm(IMAGE.manifestDigest());
        List<CosignSignature> read = SignatureManifest.parse(artifact.manifest()).signatures(d -> withCertificate.payload());
        assertThat(read).containsExactly(withCertificate);
    }

    @Test
    void writesAnOci11ReferrerTheReferrersApiFinds() throws Exception {
        CosignSignature signature = new CosignSigner((ECPrivateKey) alice.getPrivate(), CLOCK).sign(IMAGE);
        Descriptor subject = new Descriptor(MediaTypes.OCI_MANIFEST, IMAGE.manifestDigest(), MANIFEST.length);
        SignatureArtifact referrer = SignatureManifest.empty().add(signature).toReferrerForm(subject);

        assertThat(referrer.tag()).isNull();
        assertThat(referrer.digest()).isEqualTo(Digest.sha256(referrer.manifest()));
        Manifest parsed = Manifest.parse(referrer.manifest(), referrer.mediaType());
        assertThat(parsed.subject()).isEqualTo(subject);
        assertThat(parsed.artifactType()).isEqualTo("application/vnd.dev.cosign.artifact.sig.v1+json");
        assertThat(parsed.effectiveArtifactType()).isEqualTo("application/vnd.dev.cosign.artifact.sig.v1+json");
        assertThat(parsed.config().mediaType()).isEqualTo(MediaTypes.OCI_EMPTY);
        assertThat(parsed.config().digest()).hasToString("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        assertThat(referrer.blobs()).extracting(SignatureArtifact.Blob::digest)
                .containsExactly(parsed.config().digest(), Digest.sha256(signature.payload()));

        // Read back from the referrer form, the signature verifies as before.
        List<CosignSignature> read = SignatureManifest.parse(referrer.manifest()).signatures(d -> signature.payload());
        assertThat(verifier(alice).verify(read.get(0), IMAGE, IdentityMatch.MATCH_EXACT).signer()).isEqualTo("alice");
    }

    @Test
    void theSignatureTagIsNamedForTheDigest() {
        assertThat(CosignFormat.signatureTag(Digest.parse(Vectors.IMAGE_DIGEST)))
                .isEqualTo("sha256-06ccbe521fe15357343d8400aab0997585041ec6e0a5121f2b65e6bf81538f1b.sig");
    }

    private static SignerKey.Cosign key(String name, KeyPair pair) {
        return new SignerKey.Cosign(name, pair.getPublic());
    }

    private static CosignVerifier verifier(KeyPair pair) {
        return new CosignVerifier(List.of(key(pair == null ? "none" : "alice", pair)));
    }
}
