package io.slipway.trust.simplesigning;

import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignatureFormat;
import io.slipway.trust.SignaturePayload;
import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SignatureSubpacket;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.bcpg.sig.IssuerKeyID;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * Verifies Red Hat simple-signing signatures (an OpenPGP signed message around an
 * {@code atomic container signature} payload) against trusted OpenPGP keys: the message must be
 * one signature over one literal payload, made by a trusted key that is neither revoked nor
 * expired, and the payload must name this image.
 */
public final class SimpleSigningVerifier {

    /** Payloads are a few hundred bytes; anything far larger is refused before it is held in memory. */
    static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    private final List<SignerKey.OpenPgp> keys;
    private final Clock clock;

    public SimpleSigningVerifier(List<SignerKey.OpenPgp> keys, Clock clock) {
        this.keys = List.copyOf(keys);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Accepts the signed message {@code signature} for {@code image}, or says why not. */
    public VerifiedSignature verify(byte[] signature, Image image, IdentityMatch rule)
            throws SignatureVerificationException {
        SignedMessage message = SignedMessage.read(signature);
        TrustedKey trusted = find(message.signature().getKeyID());
        PGPSignature pgpSignature = message.signature();
        try {
            pgpSignature.init(new BcPGPContentVerifierBuilderProvider(), trusted.key());
            pgpSignature.update(message.content());
            if (!pgpSignature.verify()) {
                throw new SignatureVerificationException(Reason.BAD_SIGNATURE,
                        "OpenPGP signature by " + OpenPgpKeys.fingerprint(trusted.key()) + " does not verify: the content was changed");
            }
        } catch (PGPException e) {
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "OpenPGP signature cannot be checked: " + e.getMessage(), e);
        }
        requireDigestPrefix(pgpSignature, message.content());
        requireIssuerIs(pgpSignature, trusted.key());
        Instant now = clock.instant();
        requireAcceptable(pgpSignature, trusted.key(), now);
        KeyValidity.requireValid(trusted.primary(), trusted.key(), now);

        SignaturePayload payload = SignaturePayload.parse(message.content(), SignaturePayload.Type.ATOMIC);
        payload.requireMatches(image, rule);
        return new VerifiedSignature(SignatureFormat.SIMPLE_SIGNING, trusted.name(), OpenPgpKeys.fingerprint(trusted.key()), payload);
    }

    private record TrustedKey(String name, PGPPublicKey primary, PGPPublicKey key) {
    }

    private TrustedKey find(long keyId) throws SignatureVerificationException {
        for (SignerKey.OpenPgp signerKey : keys) {
            PGPPublicKeyRing ring = signerKey.keyring().getPublicKeyRing(keyId);
            if (ring != null) {
                return new TrustedKey(signerKey.name(), ring.getPublicKey(), ring.getPublicKey(keyId));
            }
        }
        throw new SignatureVerificationException(Reason.UNKNOWN_SIGNER,
                String.format("signed by OpenPGP key ID %016X, which is not a trusted key", keyId));
    }

    private static void requireAcceptable(PGPSignature signature, PGPPublicKey key, Instant now)
            throws SignatureVerificationException {
        int hash = signature.getHashAlgorithm();
        if (hash == HashAlgorithmTags.MD5 || hash == HashAlgorithmTags.SHA1 || hash == HashAlgorithmTags.RIPEMD160) {
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "OpenPGP signature uses a broken hash algorithm");
        }
        Instant created = signature.getCreationTime().toInstant();
        if (created.isBefore(key.getCreationTime().toInstant())) {
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "OpenPGP signature predates its key");
        }
        long expiresAfter = signature.getHashedSubPackets() == null ? 0 : signature.getHashedSubPackets().getSignatureExpirationTime();
        if (expiresAfter > 0 && !now.isBefore(created.plusSeconds(expiresAfter))) {
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE,
                    "OpenPGP signature expired at " + created.plusSeconds(expiresAfter));
        }
    }

    // Issuer subpackets may sit outside the signed area: each one must name the key that verified.
    private static void requireIssuerIs(PGPSignature signature, PGPPublicKey key) throws SignatureVerificationException {
        for (PGPSignatureSubpacketVector area : new PGPSignatureSubpacketVector[] {signature.getHashedSubPackets(), signature.getUnhashedSubPackets()}) {
            if (area == null) {
                continue;
            }
            for (SignatureSubpacket packet : area.getSubpackets(SignatureSubpacketTags.ISSUER_KEY_ID)) {
                if (((IssuerKeyID) packet).getKeyID() != key.getKeyID()) {
                    throw new SignatureVerificationException(Reason.MALFORMED_SIGNATURE, "issuer key ID does not name the signing key");
                }
            }
            for (SignatureSubpacket packet : area.getSubpackets(SignatureSubpacketTags.ISSUER_FINGERPRINT)) {
                if (!java.util.Arrays.equals(((IssuerFingerprint) packet).getFingerprint(), key.getFingerprint())) {
                    throw new SignatureVerificationException(Reason.MALFORMED_SIGNATURE, "issuer fingerprint does not name the signing key");
                }
            }
        }
    }

    // gpg refuses a signature whose stored hash prefix disagrees with the hash; Bouncy Castle does not look.
    private static void requireDigestPrefix(PGPSignature signature, byte[] content) throws SignatureVerificationException {
        try {
            PGPDigestCalculator digest = new BcPGPDigestCalculatorProvider().get(signature.getHashAlgorithm());
            try (OutputStream out = digest.getOutputStream()) {
                out.write(content);
                out.write(signature.getSignatureTrailer());
            }
            byte[] prefix = signature.getDigestPrefix();
            byte[] actual = digest.getDigest();
            if (prefix == null || actual[0] != prefix[0] || actual[1] != prefix[1]) {
                throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "OpenPGP signature hash prefix does not match");
            }
        } catch (PGPException | IOException e) {
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "OpenPGP signature cannot be checked: " + e.getMessage(), e);
        }
    }
}
