package io.slipway.trust.simplesigning;

import static io.slipway.trust.simplesigning.SimpleSigningVectorTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignaturePayload;
import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import io.slipway.trust.keys.KeyFileException;
import io.slipway.trust.testing.Vectors;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimpleSigningTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Image IMAGE = Image.of("registry.local:5000/team/app:1.0", Vectors.bytes("simple-signing/image-manifest.json"));

    private static OpenPgpKeyGenerator.GeneratedKey alice;
    private static OpenPgpKeyGenerator.GeneratedKey bob;

    @BeforeAll
    static void generateKeys() {
        alice = OpenPgpTestKeys.generate("alice", NOW.minus(Duration.ofDays(300)), null);
        bob = OpenPgpTestKeys.generate("bob", NOW.minus(Duration.ofDays(300)), null);
    }

    @Test
    void signsAndVerifies() throws Exception {
        SimpleSigningSigner signer = new SimpleSigningSigner(alice.secretKeys().getSecretKey(), new char[0], CLOCK);
        byte[] signature = signer.sign(IMAGE);

        VerifiedSignature verified = verifier(trustAlice()).verify(signature, IMAGE, IdentityMatch.MATCH_EXACT);
        assertThat(verified.signer()).isEqualTo("alice");
        assertThat(verified.keyId()).isEqualTo(alice.fingerprint()).isEqualTo(signer.fingerprint());
        assertThat(verified.payload().type()).isEqualTo(SignaturePayload.Type.ATOMIC);
        assertThat(verified.payload().dockerReference()).isEqualTo("registry.local:5000/team/app:1.0");
        assertThat(verified.payload().manifestDigest()).isEqualTo(IMAGE.manifestDigest());
        assertThat(verified.payload().creator()).isEqualTo("Slipway");
        assertThat(verified.payload().timestamp()).isEqualTo(NOW.getEpochSecond());

        // gpg --armor output is the same message.
        byte[] armored = OpenPgpKeys.armor(signature).getBytes(StandardCharsets.US_ASCII);
        assertThat(new String(armored, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PGP MESSAGE-----");
        verifier(trustAlice()).verify(armored, IMAGE, IdentityMatch.MATCH_EXACT);
    }

    @Test
    void signsWithAnExportedPassphraseProtectedKey() throws Exception {
        OpenPgpKeyGenerator.GeneratedKey carol = new OpenPgpKeyGenerator(OpenPgpTestKeys.RANDOM, 2048)
                .generate("carol <carol@test.invalid>", "open sesame".toCharArray(), NOW.minus(Duration.ofDays(1)), null);
        byte[] export = carol.armoredSecretKey().getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> SimpleSigningSigner.fromExport(export, "wrong".toCharArray(), CLOCK)).isInstanceOf(KeyFileException.class);

        byte[] signature = SimpleSigningSigner.fromExport(export, "open sesame".toCharArray(), CLOCK).sign(IMAGE);
        SignerKey.OpenPgp trusted = new SignerKey.OpenPgp("carol",
                OpenPgpKeys.readPublicKeys(carol.armoredPublicKey().getBytes(StandardCharsets.US_ASCII)));
        assertThat(verifier(trusted).verify(signature, IMAGE, IdentityMatch.MATCH_EXACT).keyId()).isEqualTo(carol.fingerprint());
    }

    @Test
    void refusesAnotherKey() {
        byte[] signature = new SimpleSigningSigner(bob.secretKeys().getSecretKey(), new char[0], CLOCK).sign(IMAGE);
        assertRefused(verifier(trustAlice()), signature, IMAGE, Reason.UNKNOWN_SIGNER);
    }

    @Test
    void refusesAnotherImageOrName() {
        byte[] signature = new SimpleSigningSigner(alice.secretKeys().getSecretKey(), new char[0], CLOCK).sign(IMAGE);
        assertRefused(verifier(trustAlice()), signature, Image.of("registry.local:5000/team/app:1.0", Digest.sha256("x")), Reason.DIGEST_MISMATCH);
        assertRefused(verifier(trustAlice()), signature, Image.of("registry.local:5000/team/evil:1.0", IMAGE.manifestDigest()), Reason.IDENTITY_MISMATCH);
    }

    @Test
    void refusesAChangedPayload() throws Exception {
        byte[] signed = SignaturePayload.forImage(SignaturePayload.Type.ATOMIC, IMAGE, "x", 1).toJson();
        byte[] swapped = SignaturePayload.forImage(SignaturePayload.Type.ATOMIC,
                Image.of("registry.local:5000/team/app:1.0", Digest.sha256("evil")), "x", 1).toJson();
        PGPSignature signature = sign(alice, signed, HashAlgorithmTags.SHA256);
        assertThat(verifier(trustAlice()).verify(assemble(signature, signed), IMAGE, IdentityMatch.MATCH_EXACT).signer()).isEqualTo("alice");
        assertRefused(verifier(trustAlice()), assemble(signature, swapped), IMAGE, Reason.BAD_SIGNATURE);
    }

    @Test
    void refusesEveryOneByteChangeOfItsOwnSignatures() {
        byte[] original = new SimpleSigningSigner(alice.secretKeys().getSecretKey(), new char[0], CLOCK).sign(IMAGE);
        SimpleSigningVerifier verifier = verifier(trustAlice());
        List<Integer> accepted = new java.util.ArrayList<>();
        for (int i = 0; i < original.length; i++) {
            byte[] changed = original.clone();
            changed[i] ^= 0x01;
            try {
                verifier.verify(changed, IMAGE, IdentityMatch.MATCH_EXACT);
                accepted.add(i);
            } catch (SignatureVerificationException expected) {
                // refused, as it must be
            }
        }
        assertThat(accepted).as("positions whose change was accepted, of %d", original.length).isEmpty();
    }

    @Test
    void refusesABrokenHashAlgorithm() throws Exception {
        byte[] payload = SignaturePayload.forImage(SignaturePayload.Type.ATOMIC, IMAGE, "x", 1).toJson();
        assertRefused(verifier(trustAlice()), assemble(sign(alice, payload, HashAlgorithmTags.SHA1), payload), IMAGE, Reason.BAD_SIGNATURE);
    }

    @Test
    void refusesAKeyThatExpiredBeforeSigning() {
        OpenPgpKeyGenerator.GeneratedKey expired = OpenPgpTestKeys.generate("expired", NOW.minus(Duration.ofDays(30)), Duration.ofDays(10));
        byte[] signature = new SimpleSigningSigner(expired.secretKeys().getSecretKey(), new char[0], CLOCK).sign(IMAGE);
        assertRefused(verifier(OpenPgpTestKeys.trust("expired", expired.publicKeys())), signature, IMAGE, Reason.KEY_EXPIRED);
    }

    @Test
    void refusesAKeyThatExpiredAfterSigning() throws Exception {
        OpenPgpKeyGenerator.GeneratedKey expiring = OpenPgpTestKeys.generate("expiring", NOW.minus(Duration.ofDays(20)), Duration.ofDays(30));
        byte[] signature = new SimpleSigningSigner(expiring.secretKeys().getSecretKey(), new char[0], CLOCK).sign(IMAGE);
        SignerKey.OpenPgp trusted = OpenPgpTestKeys.trust("expiring", expiring.publicKeys());
        new SimpleSigningVerifier(List.of(trusted), CLOCK).verify(signature, IMAGE, IdentityMatch.MATCH_EXACT);
        // Eleven days later the key has expired; as with GnuPG, its old signatures no longer count.
        Clock later = Clock.offset(CLOCK, Duration.ofDays(11));
        assertRefused(new SimpleSigningVerifier(List.of(trusted), later), signature, IMAGE, Reason.KEY_EXPIRED);
    }

    @Test
    void refusesARevokedKeyButNotAForgedRevocation() throws Exception {
        byte[] signature = new SimpleSigningSigner(alice.secretKeys().getSecretKey(), new char[0], CLOCK).sign(IMAGE);
        assertRefused(verifier(OpenPgpTestKeys.trust("alice", OpenPgpTestKeys.revokePrimary(alice))), signature, IMAGE, Reason.KEY_REVOKED);

        SignerKey.OpenPgp withForgery = OpenPgpTestKeys.trust("alice", OpenPgpTestKeys.forgeRevocation(alice, bob));
        assertThat(withForgery.keyring().getPublicKey(alice.publicKeys().getPublicKey().getKeyID()).hasRevocation()).isTrue();
        assertThat(verifier(withForgery).verify(signature, IMAGE, IdentityMatch.MATCH_EXACT).signer()).isEqualTo("alice");
    }

    @Test
    void acceptsASigningSubkeyUntilItIsRevoked() throws Exception {
        PGPSecretKeyRing dave = OpenPgpTestKeys.withSigningSubkey("dave", NOW.minus(Duration.ofDays(5)));
        assertThat(OpenPgpKeys.signingKey(dave).isMasterKey()).isFalse();
        byte[] signature = new SimpleSigningSigner(OpenPgpKeys.signingKey(dave), new char[0], CLOCK).sign(IMAGE);

        VerifiedSignature verified = verifier(OpenPgpTestKeys.trust("dave", OpenPgpTestKeys.publicRing(dave)))
                .verify(signature, IMAGE, IdentityMatch.MATCH_EXACT);
        assertThat(verified.keyId()).isEqualTo(OpenPgpKeys.fingerprint(OpenPgpTestKeys.signingSubkey(OpenPgpTestKeys.publicRing(dave))));

        assertRefused(verifier(OpenPgpTestKeys.trust("dave", OpenPgpTestKeys.revokeSubkey(dave))), signature, IMAGE, Reason.KEY_REVOKED);
    }

    @Test
    void signsWithThePrimaryWhenTheSubkeyOnlyEncrypts() throws Exception {
        // GnuPG's default layout: the RSA subkey's algorithm could sign, but its flags say encryption only.
        PGPSecretKeyRing erin = OpenPgpTestKeys.withSubkey("erin", NOW.minus(Duration.ofDays(5)),
                org.bouncycastle.bcpg.sig.KeyFlags.CERTIFY_OTHER | org.bouncycastle.bcpg.sig.KeyFlags.SIGN_DATA,
                org.bouncycastle.bcpg.sig.KeyFlags.ENCRYPT_COMMS | org.bouncycastle.bcpg.sig.KeyFlags.ENCRYPT_STORAGE);
        assertThat(OpenPgpKeys.signingKey(erin).isMasterKey()).isTrue();
        byte[] signature = SimpleSigningSigner.fromExport(erin.getEncoded(), new char[0], CLOCK).sign(IMAGE);
        assertThat(verifier(OpenPgpTestKeys.trust("erin", OpenPgpTestKeys.publicRing(erin))).verify(signature, IMAGE, IdentityMatch.MATCH_EXACT)
                .keyId()).isEqualTo(OpenPgpKeys.fingerprint(erin.getPublicKey()));
    }

    @Test
    void refusesASignatureByAnEncryptionOnlySubkey() throws Exception {
        PGPSecretKeyRing erin = OpenPgpTestKeys.withSubkey("erin", NOW.minus(Duration.ofDays(5)),
                org.bouncycastle.bcpg.sig.KeyFlags.CERTIFY_OTHER | org.bouncycastle.bcpg.sig.KeyFlags.SIGN_DATA,
                org.bouncycastle.bcpg.sig.KeyFlags.ENCRYPT_COMMS);
        byte[] signature = new SimpleSigningSigner(OpenPgpTestKeys.secretSubkey(erin), new char[0], CLOCK).sign(IMAGE);
        assertRefused(verifier(OpenPgpTestKeys.trust("erin", OpenPgpTestKeys.publicRing(erin))), signature, IMAGE, Reason.UNKNOWN_SIGNER);
    }

    @Test
    void refusesAStraySubkeyWithoutBinding() throws Exception {
        // Dave's subkey, presented inside Alice's trusted ring without a binding signature by Alice.
        PGPSecretKeyRing dave = OpenPgpTestKeys.withSigningSubkey("dave", NOW.minus(Duration.ofDays(5)));
        byte[] signature = new SimpleSigningSigner(OpenPgpKeys.signingKey(dave), new char[0], CLOCK).sign(IMAGE);
        PGPPublicKey stray = OpenPgpTestKeys.signingSubkey(OpenPgpTestKeys.publicRing(dave));
        PGPPublicKey unbound = PGPPublicKey.removeCertification(stray, stray.getSignaturesOfType(PGPSignature.SUBKEY_BINDING).next());
        var aliceWithStray = org.bouncycastle.openpgp.PGPPublicKeyRing.insertPublicKey(alice.publicKeys(), unbound);
        assertRefused(verifier(OpenPgpTestKeys.trust("alice", aliceWithStray)), signature, IMAGE, Reason.UNKNOWN_SIGNER);
    }

    private static SignerKey.OpenPgp trustAlice() {
        return OpenPgpTestKeys.trust("alice", alice.publicKeys());
    }

    private static SimpleSigningVerifier verifier(SignerKey.OpenPgp key) {
        return new SimpleSigningVerifier(List.of(key), CLOCK);
    }

    private static PGPSignature sign(OpenPgpKeyGenerator.GeneratedKey key, byte[] content, int hash) throws Exception {
        PGPPublicKey publicKey = key.publicKeys().getPublicKey();
        PGPPrivateKey privateKey = OpenPgpKeys.unlock(key.secretKeys().getSecretKey(), new char[0]);
        PGPSignatureGenerator generator = new PGPSignatureGenerator(new BcPGPContentSignerBuilder(publicKey.getAlgorithm(), hash), publicKey);
        generator.init(PGPSignature.BINARY_DOCUMENT, privateKey);
        generator.update(content);
        return generator.generate();
    }

    /** An uncompressed signed message: one-pass header, {@code content}, and {@code signature} (whatever it signed). */
    private static byte[] assemble(PGPSignature signature, byte[] content) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BCPGOutputStream packets = new BCPGOutputStream(out)) {
            new org.bouncycastle.bcpg.OnePassSignaturePacket(signature.getSignatureType(), signature.getHashAlgorithm(),
                    signature.getKeyAlgorithm(), signature.getKeyID(), false).encode(packets);
            try (OutputStream literal = new PGPLiteralDataGenerator().open(packets, PGPLiteralData.BINARY, "", content.length, new Date(0))) {
                literal.write(content);
            }
            signature.encode(packets);
        }
        return out.toByteArray();
    }
}
