package io.slipway.trust.simplesigning;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PBESecretKeyEncryptor;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * Generates an OpenPGP signing key for simple signing, so a laptop with no GnuPG can still sign:
 * one RSA primary key allowed to certify and sign, with a user ID, optionally expiring. GnuPG
 * imports the result as it is ({@code gpg --import}).
 */
public final class OpenPgpKeyGenerator {

    /** The generated key: the secret ring (to sign) and the public ring (to hand to verifiers). */
    public record GeneratedKey(PGPSecretKeyRing secretKeys, PGPPublicKeyRing publicKeys) {

        public String fingerprint() {
            return OpenPgpKeys.fingerprint(publicKeys.getPublicKey());
        }

        public String armoredPublicKey() {
            try {
                return OpenPgpKeys.armor(publicKeys.getEncoded());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public String armoredSecretKey() {
            try {
                return OpenPgpKeys.armor(secretKeys.getEncoded());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final SecureRandom random;
    private final int rsaBits;

    /** RSA 3072, GnuPG's default size. */
    public OpenPgpKeyGenerator() {
        this(new SecureRandom(), 3072);
    }

    public OpenPgpKeyGenerator(SecureRandom random, int rsaBits) {
        if (rsaBits < 2048) {
            throw new IllegalArgumentException("RSA keys shorter than 2048 bits are not generated");
        }
        this.random = Objects.requireNonNull(random, "random");
        this.rsaBits = rsaBits;
    }

    /**
     * A key for {@code userId} ("Name &lt;email&gt;") created at {@code created}, valid for
     * {@code validity} (null: no expiry), its secret part protected by {@code passphrase} (empty:
     * unprotected, as {@code gpg --passphrase ''} makes it).
     */
    public GeneratedKey generate(String userId, char[] passphrase, Instant created, Duration validity) {
        Objects.requireNonNull(userId, "userId");
        try {
            RSAKeyPairGenerator rsa = new RSAKeyPairGenerator();
            rsa.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), random, rsaBits, 100));
            PGPKeyPair pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, rsa.generateKeyPair(),
                    Date.from(Instant.ofEpochSecond(created.getEpochSecond())));

            PGPSignatureSubpacketGenerator selfSignature = new PGPSignatureSubpacketGenerator();
            selfSignature.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
            selfSignature.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
            selfSignature.setPreferredSymmetricAlgorithms(false, new int[] {SymmetricKeyAlgorithmTags.AES_256});
            if (validity != null) {
                selfSignature.setKeyExpirationTime(true, validity.getSeconds());
            }
            selfSignature.setSignatureCreationTime(false, pair.getPublicKey().getCreationTime());

            PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
            PBESecretKeyEncryptor encryptor = passphrase == null || passphrase.length == 0 ? null
                    : new BcPBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256,
                            new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256), 0x60)
                            .setSecureRandom(random).build(passphrase);
            PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, userId, sha1,
                    selfSignature.generate(), null,
                    new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256), encryptor);
            return new GeneratedKey(rings.generateSecretKeyRing(), rings.generatePublicKeyRing());
        } catch (PGPException e) {
            throw new IllegalStateException("OpenPGP key generation failed: " + e.getMessage(), e);
        }
    }
}
