package io.slipway.trust.simplesigning;

import io.slipway.trust.Image;
import io.slipway.trust.SignaturePayload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;

/**
 * Makes Red Hat simple-signing signatures: the {@code atomic container signature} payload inside an
 * OpenPGP signed message, laid out as {@code gpg --sign} writes it (a compressed packet holding a
 * one-pass signature, the literal payload and the signature), which is what skopeo, podman and
 * the registry signature extension carry.
 */
public final class SimpleSigningSigner {

    /** What Slipway writes as {@code optional.creator}. */
    public static final String CREATOR = "Slipway";

    private final PGPPublicKey publicKey;
    private final PGPPrivateKey privateKey;
    private final Clock clock;

    /** Signs with {@code key}, unlocked with {@code passphrase}. */
    public SimpleSigningSigner(PGPSecretKey key, char[] passphrase, Clock clock) {
        this.publicKey = key.getPublicKey();
        this.privateKey = OpenPgpKeys.unlock(key, passphrase);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A signer for the first key in an exported secret keyring ({@code gpg --export-secret-keys}). */
    public static SimpleSigningSigner fromExport(byte[] secretKeyExport, char[] passphrase, Clock clock) {
        PGPSecretKey key = OpenPgpKeys.signingKey(OpenPgpKeys.readSecretKeys(secretKeyExport).getKeyRings().next());
        return new SimpleSigningSigner(key, passphrase, clock);
    }

    /** The fingerprint of the key that signs, as a {@code signedBy} policy or GnuPG names it. */
    public String fingerprint() {
        return OpenPgpKeys.fingerprint(publicKey);
    }

    /** Signs {@code image}: its reference becomes the signed identity, its digest the signed manifest. */
    public byte[] sign(Image image) {
        return sign(SignaturePayload.forImage(SignaturePayload.Type.ATOMIC, image, CREATOR, clock.instant().getEpochSecond()));
    }

    public byte[] sign(SignaturePayload payload) {
        if (payload.type() != SignaturePayload.Type.ATOMIC) {
            throw new IllegalArgumentException("a simple-signing signature signs an atomic payload, not " + payload.type());
        }
        return signBytes(payload.toJson());
    }

    /** An OpenPGP signed message over {@code content}. */
    public byte[] signBytes(byte[] content) {
        // OpenPGP times have one-second resolution; the same instant goes into every packet.
        Date now = new Date(clock.instant().getEpochSecond() * 1000L);
        try {
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(publicKey.getAlgorithm(), HashAlgorithmTags.SHA256), publicKey);
            generator.init(PGPSignature.BINARY_DOCUMENT, privateKey);
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, now);
            hashed.setIssuerFingerprint(false, publicKey);
            generator.setHashedSubpackets(hashed.generate());
            PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
            unhashed.setIssuerKeyID(false, publicKey.getKeyID());
            generator.setUnhashedSubpackets(unhashed.generate());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PGPCompressedDataGenerator compressor = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZIP);
            try (OutputStream compressed = compressor.open(out)) {
                generator.generateOnePassVersion(false).encode(compressed);
                PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
                try (OutputStream data = literal.open(compressed, PGPLiteralData.BINARY, "", content.length, now)) {
                    data.write(content);
                }
                generator.update(content);
                generator.generate().encode(compressed);
            }
            return out.toByteArray();
        } catch (PGPException | IOException e) {
            throw new IllegalStateException("OpenPGP signing failed: " + e.getMessage(), e);
        }
    }
}
