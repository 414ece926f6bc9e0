package io.slipway.trust.simplesigning;

import io.slipway.trust.SignerKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/** OpenPGP keys made for tests: good, expired, revoked, with a signing subkey. 2048-bit RSA to stay fast. */
final class OpenPgpTestKeys {

    static final SecureRandom RANDOM = new SecureRandom();
    private static final OpenPgpKeyGenerator GENERATOR = new OpenPgpKeyGenerator(RANDOM, 2048);

    private OpenPgpTestKeys() {
    }

    static OpenPgpKeyGenerator.GeneratedKey generate(String name, Instant created, Duration validity) {
        return GENERATOR.generate(name + " <" + name + "@test.invalid>", new char[0], created, validity);
    }

    static SignerKey.OpenPgp trust(String name, PGPPublicKeyRing ring) {
        return new SignerKey.OpenPgp(name, new PGPPublicKeyRingCollection(List.of(ring)));
    }

    /** The public ring with a revocation of its primary key, self-signed as GnuPG's revocation certificate is. */
    static PGPPublicKeyRing revokePrimary(OpenPgpKeyGenerator.GeneratedKey key) throws Exception {
        PGPPublicKey primary = key.publicKeys().getPublicKey();
        PGPPrivateKey secret = OpenPgpKeys.unlock(key.secretKeys().getSecretKey(), new char[0]);
        PGPSignature revocation = certification(primary, secret, PGPSignature.KEY_REVOCATION, null);
        return PGPPublicKeyRing.insertPublicKey(key.publicKeys(), PGPPublicKey.addCertification(primary, revocation));
    }

    /** A revocation "signed" by some other key: it must not revoke anything. */
    static PGPPublicKeyRing forgeRevocation(OpenPgpKeyGenerator.GeneratedKey key, OpenPgpKeyGenerator.GeneratedKey forger) throws Exception {
        PGPPublicKey primary = key.publicKeys().getPublicKey();
        PGPPrivateKey secret = OpenPgpKeys.unlock(forger.secretKeys().getSecretKey(), new char[0]);
        PGPSignatureGenerator generator = new PGPSignatureGenerator(
                new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256),
                forger.publicKeys().getPublicKey());
        generator.init(PGPSignature.KEY_REVOCATION, secret);
        PGPSignature revocation = generator.generateCertification(primary);
        return PGPPublicKeyRing.insertPublicKey(key.publicKeys(), PGPPublicKey.addCertification(primary, revocation));
    }

    /** A key whose primary only certifies, with a separate signing subkey, as many GnuPG users have. */
    static PGPSecretKeyRing withSigningSubkey(String name, Instant created) throws Exception {
        return withSubkey(name, created, KeyFlags.CERTIFY_OTHER, KeyFlags.SIGN_DATA);
    }

    /** A primary key and one subkey, each with the key flags given. */
    static PGPSecretKeyRing withSubkey(String name, Instant created, int primaryKeyFlags, int subkeyKeyFlags) throws Exception {
        BcPGPKeyPair primary = rsaPair(created);
        BcPGPKeyPair subkey = rsaPair(created);
        PGPSignatureSubpacketGenerator primaryFlags = new PGPSignatureSubpacketGenerator();
        primaryFlags.setKeyFlags(true, primaryKeyFlags);
        PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary,
                name + " <" + name + "@test.invalid>", new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
                primaryFlags.generate(), null,
                new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256), null);
        PGPSignatureSubpacketGenerator subkeyFlags = new PGPSignatureSubpacketGenerator();
        subkeyFlags.setKeyFlags(true, subkeyKeyFlags);
        rings.addSubKey(subkey, subkeyFlags.generate(), null);
        return rings.generateSecretKeyRing();
    }

    static PGPPublicKeyRing publicRing(PGPSecretKeyRing secret) {
        List<PGPPublicKey> keys = new java.util.ArrayList<>();
        secret.getPublicKeys().forEachRemaining(keys::add);
        return new PGPPublicKeyRing(keys);
    }

    /** The public ring with its subkey revoked by the primary key. */
    static PGPPublicKeyRing revokeSubkey(PGPSecretKeyRing secret) throws Exception {
        PGPPublicKeyRing ring = publicRing(secret);
        PGPPublicKey primary = ring.getPublicKey();
        PGPPublicKey subkey = signingSubkey(ring);
        PGPPrivateKey primarySecret = OpenPgpKeys.unlock(secret.getSecretKey(), new char[0]);
        PGPSignature revocation = certification(primary, primarySecret, PGPSignature.SUBKEY_REVOCATION, subkey);
        return PGPPublicKeyRing.insertPublicKey(ring, PGPPublicKey.addCertification(subkey, revocation));
    }

    static PGPPublicKey signingSubkey(PGPPublicKeyRing ring) {
        for (PGPPublicKey key : ring) {
            if (!key.isMasterKey()) {
                return key;
            }
        }
        throw new IllegalStateException("no subkey");
    }

    static PGPSecretKey secretSubkey(PGPSecretKeyRing ring) {
        for (PGPSecretKey key : ring) {
            if (!key.isMasterKey()) {
                return key;
            }
        }
        throw new IllegalStateException("no subkey");
    }

    private static PGPSignature certification(PGPPublicKey primary, PGPPrivateKey secret, int type, PGPPublicKey subkey) throws Exception {
        PGPSignatureGenerator generator = new PGPSignatureGenerator(
                new BcPGPContentSignerBuilder(primary.getAlgorithm(), HashAlgorithmTags.SHA256), primary);
        generator.init(type, secret);
        return subkey == null ? generator.generateCertification(primary) : generator.generateCertification(primary, subkey);
    }

    private static BcPGPKeyPair rsaPair(Instant created) throws Exception {
        RSAKeyPairGenerator rsa = new RSAKeyPairGenerator();
        rsa.init(new RSAKeyGenerationParameters(java.math.BigInteger.valueOf(0x10001), RANDOM, 2048, 100));
        return new BcPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, rsa.generateKeyPair(), Date.from(created));
    }
}
