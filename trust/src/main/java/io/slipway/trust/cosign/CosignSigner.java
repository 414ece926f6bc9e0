package io.slipway.trust.cosign;

import io.slipway.trust.Image;
import io.slipway.trust.SignaturePayload;
import io.slipway.trust.keys.EcKeys;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;

/**
 * Signs images the way cosign does with a key pair: an ECDSA P-256 / SHA-256 signature (ASN.1 DER)
 * over the exact bytes of a simple-signing payload.
 */
public final class CosignSigner {

    /** What Slipway writes as {@code optional.creator}. */
    public static final String CREATOR = "Slipway";

    private final ECPrivateKey key;
    private final Clock clock;
    private final SecureRandom random;

    public CosignSigner(ECPrivateKey key, Clock clock) {
        this(key, clock, new SecureRandom());
    }

    public CosignSigner(ECPrivateKey key, Clock clock, SecureRandom random) {
        if (!EcKeys.isP256(Objects.requireNonNull(key, "key"))) {
            throw new IllegalArgumentException("cosign signing needs an ECDSA P-256 key");
        }
        this.key = key;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Signs {@code image}: its reference becomes the signed identity, its digest the signed manifest. */
    public CosignSignature sign(Image image) {
        return sign(SignaturePayload.forImage(SignaturePayload.Type.COSIGN, image, CREATOR, clock.instant().getEpochSecond()));
    }

    public CosignSignature sign(SignaturePayload payload) {
        if (payload.type() != SignaturePayload.Type.COSIGN) {
            throw new IllegalArgumentException("a cosign signature signs a cosign payload, not " + payload.type());
        }
        return signBytes(payload.toJson());
    }

    /** Signs payload bytes as they are. */
    public CosignSignature signBytes(byte[] payload) {
        try {
            Signature ecdsa = Signature.getInstance("SHA256withECDSA");
            ecdsa.initSign(key, random);
            ecdsa.update(payload);
            return new CosignSignature(payload, Base64.getEncoder().encodeToString(ecdsa.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA signing failed", e);
        }
    }
}
