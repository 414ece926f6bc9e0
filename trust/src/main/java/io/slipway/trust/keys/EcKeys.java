package io.slipway.trust.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * ECDSA P-256 keys in the encodings cosign uses: PKCS#8 for private keys, X.509
 * SubjectPublicKeyInfo for public keys. Only P-256 is accepted for signing, since that is what
 * cosign generates and every verifier accepts.
 */
public final class EcKeys {

    // The order of the P-256 group: the cheapest reliable way to recognise the curve from its parameters.
    private static final BigInteger P256_ORDER =
            new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

    private EcKeys() {
    }

    public static KeyPair generateP256(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate P-256 keys", e);
        }
    }

    /** A P-256 private key from PKCS#8 DER. */
    public static ECPrivateKey privateKeyFromPkcs8(byte[] der) {
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyFileException("not a PKCS#8 EC private key (only ECDSA P-256 keys are supported)", e);
        }
        return requireP256((ECPrivateKey) key);
    }

    /** An EC public key from X.509 SubjectPublicKeyInfo DER. */
    public static ECPublicKey publicKeyFromSpki(byte[] der) {
        PublicKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyFileException("not an EC public key (only ECDSA keys are supported)", e);
        }
        return (ECPublicKey) key;
    }

    public static boolean isP256(ECKey key) {
        return key.getParams().getOrder().equals(P256_ORDER) && key.getParams().getCofactor() == 1;
    }

    static <K extends ECKey> K requireP256(K key) {
        if (!isP256(key)) {
            throw new KeyFileException("only ECDSA P-256 keys are supported");
        }
        return key;
    }
}
