package io.slipway.trust.keys;

import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Reads and writes the key files a cosign user has: the encrypted private key cosign and skopeo
 * generate, a plain PKCS#8 {@code PRIVATE KEY} (or OpenSSL's {@code EC PRIVATE KEY}), and the
 * {@code PUBLIC KEY} handed to verifiers.
 */
public final class KeyFiles {

    public static final String PUBLIC_KEY_TYPE = "PUBLIC KEY";
    public static final String PKCS8_TYPE = "PRIVATE KEY";
    public static final String SEC1_TYPE = "EC PRIVATE KEY";

    private KeyFiles() {
    }

    /**
     * The P-256 signing key in {@code pemText}. The passphrase opens an encrypted key and is
     * ignored for a plain one.
     *
     * @throws WrongPassphraseException when an encrypted key does not open
     * @throws KeyFileException         for anything else that is not a P-256 private key
     */
    public static ECPrivateKey readPrivateKey(String pemText, char[] passphrase) {
        PemBlock block = PemBlock.parseOne(pemText);
        String type = block.type();
        if (CosignEncryptedKey.isEncryptedKeyType(type)) {
            return EcKeys.privateKeyFromPkcs8(CosignEncryptedKey.decrypt(block, passphrase == null ? new char[0] : passphrase));
        }
        if (PKCS8_TYPE.equals(type)) {
            return EcKeys.privateKeyFromPkcs8(block.bytes());
        }
        if (SEC1_TYPE.equals(type)) {
            return EcKeys.privateKeyFromPkcs8(sec1ToPkcs8(block.bytes()));
        }
        throw new KeyFileException("unsupported private key type \"" + type + "\" (expected "
                + CosignEncryptedKey.PEM_TYPE + ", " + PKCS8_TYPE + " or " + SEC1_TYPE + ")");
    }

    /** The EC public key in a {@code PUBLIC KEY} PEM block. */
    public static ECPublicKey readPublicKey(String pemText) {
        PemBlock block = PemBlock.parseOne(pemText);
        if (!PUBLIC_KEY_TYPE.equals(block.type())) {
            throw new KeyFileException("expected a " + PUBLIC_KEY_TYPE + " PEM block, found " + block.type());
        }
        return EcKeys.publicKeyFromSpki(block.bytes());
    }

    public static String publicKeyPem(PublicKey key) {
        return new PemBlock(PUBLIC_KEY_TYPE, key.getEncoded()).encode();
    }

    public static String privateKeyPem(ECPrivateKey key) {
        return new PemBlock(PKCS8_TYPE, key.getEncoded()).encode();
    }

    // SEC1 carries the curve inside the key; PKCS#8 wants it in the algorithm identifier.
    private static byte[] sec1ToPkcs8(byte[] sec1) {
        try {
            org.bouncycastle.asn1.sec.ECPrivateKey key =
                    org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(ASN1Primitive.fromByteArray(sec1));
            org.bouncycastle.asn1.ASN1Object curve = key.getParametersObject();
            if (curve == null) {
                throw new KeyFileException("EC PRIVATE KEY does not name its curve");
            }
            return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), key).getEncoded();
        } catch (IOException | IllegalArgumentException e) {
            throw new KeyFileException("EC PRIVATE KEY is not valid SEC1 DER", e);
        }
    }
}
