package io.slipway.trust.simplesigning;

import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignatureFormat;
import io.slipway.trust.SignaturePayload;
import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Verifies Red Hat simple-signing signatures (an OpenPGP signed message around an
 * {@code atomic container signature} payload) against trusted OpenPGP keys: the message must be
 * one signature over one literal payload, made by a trusted key that is neither revoked nor
 * expired, and the payload must name this image.
 */
public final class SimpleSigningVerifier {

    /** Payloads are a few hundred bytes; anything far larger is refused before it is held in memory. */
    static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    private static final int MAX_COMPRESSION_NESTING = 2;

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
        Instant now = clock.instant();
        requireSaneTimes(pgpSignature, trusted.key(), now);
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

    private static void requireSaneTimes(PGPSignature signature, PGPPublicKey key, Instant now)
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

    /** The parts of a signed message: exactly one signature over exactly one literal payload. */
    private record SignedMessage(byte[] content, PGPSignature signature) {

        static SignedMessage read(byte[] bytes) throws SignatureVerificationException {
            try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
                return read(new BcPGPObjectFactory(in), 0);
            } catch (IOException | RuntimeException | PGPException e) {
                throw malformed("not an OpenPGP signed message" + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        }

        private static SignedMessage read(BcPGPObjectFactory factory, int nesting)
                throws IOException, PGPException, SignatureVerificationException {
            PGPOnePassSignature onePass = null;
            byte[] content = null;
            PGPSignature signature = null;
            Object object;
            while ((object = factory.nextObject()) != null) {
                if (object instanceof PGPMarker) {
                    continue;
                }
                if (object instanceof PGPCompressedData compressed) {
                    if (onePass != null || content != null || signature != null || nesting >= MAX_COMPRESSION_NESTING) {
                        throw malformed("unexpected compressed packet");
                    }
                    SignedMessage inner = read(new BcPGPObjectFactory(compressed.getDataStream()), nesting + 1);
                    if (factory.nextObject() != null) {
                        throw malformed("data after the compressed message");
                    }
                    return inner;
                } else if (object instanceof PGPOnePassSignatureList list) {
                    if (onePass != null || content != null || list.size() != 1) {
                        throw malformed("expected exactly one one-pass signature before the payload");
                    }
                    onePass = list.get(0);
                } else if (object instanceof PGPLiteralData literal) {
                    if (onePass == null || content != null) {
                        throw malformed("the payload must follow exactly one one-pass signature");
                    }
                    content = readBounded(literal.getInputStream());
                } else if (object instanceof PGPSignatureList list) {
                    if (content == null || signature != null || list.size() != 1) {
                        throw malformed("expected exactly one signature after the payload");
                    }
                    signature = list.get(0);
                } else {
                    throw malformed("unexpected OpenPGP packet " + object.getClass().getSimpleName());
                }
            }
            if (signature == null) {
                throw malformed("the message has no signature");
            }
            if (signature.getKeyID() != onePass.getKeyID() || signature.getSignatureType() != onePass.getSignatureType()) {
                throw malformed("the signature does not match its one-pass header");
            }
            if (signature.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
                throw malformed("not a signature over a binary document");
            }
            return new SignedMessage(content, signature);
        }

        private static byte[] readBounded(InputStream in) throws IOException, SignatureVerificationException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > MAX_PAYLOAD_BYTES) {
                    throw malformed("payload larger than " + MAX_PAYLOAD_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }

        private static SignatureVerificationException malformed(String message) {
            return new SignatureVerificationException(Reason.MALFORMED_SIGNATURE, message);
        }
    }
}
