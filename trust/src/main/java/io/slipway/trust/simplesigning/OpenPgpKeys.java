package io.slipway.trust.simplesigning;

import io.slipway.trust.keys.KeyFileException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.util.encoders.DecoderException;

/** Reading and writing OpenPGP keys as GnuPG exports them (armored or binary). */
public final class OpenPgpKeys {

    private static final java.util.Set<Integer> SIGNING_ALGORITHMS = java.util.Set.of(
            PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN, PublicKeyAlgorithmTags.DSA,
            PublicKeyAlgorithmTags.ECDSA, PublicKeyAlgorithmTags.EDDSA_LEGACY, PublicKeyAlgorithmTags.Ed25519,
            PublicKeyAlgorithmTags.Ed448);

    private OpenPgpKeys() {
    }

    /** The public keys in an export ({@code gpg --export [--armor]}), one or more key rings. */
    public static PGPPublicKeyRingCollection readPublicKeys(byte[] export) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(export))) {
            PGPPublicKeyRingCollection keys = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
            if (keys.size() == 0) {
                throw new KeyFileException("no OpenPGP public key found");
            }
            return keys;
        } catch (IOException | PGPException | DecoderException | IllegalArgumentException | ClassCastException e) {
            throw new KeyFileException("not an OpenPGP public key export: " + e.getMessage(), e);
        }
    }

    /** The secret keys in an export ({@code gpg --export-secret-keys [--armor]}). */
    public static PGPSecretKeyRingCollection readSecretKeys(byte[] export) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(export))) {
            PGPSecretKeyRingCollection keys = new PGPSecretKeyRingCollection(in, new BcKeyFingerprintCalculator());
            if (keys.size() == 0) {
                throw new KeyFileException("no OpenPGP secret key found");
            }
            return keys;
        } catch (IOException | PGPException | DecoderException | IllegalArgumentException | ClassCastException e) {
            throw new KeyFileException("not an OpenPGP secret key export: " + e.getMessage(), e);
        }
    }

    /**
     * The key of {@code ring} to sign with: the newest signing-capable subkey if there is one
     * (GnuPG's choice), else the primary key.
     */
    public static PGPSecretKey signingKey(PGPSecretKeyRing ring) {
        PGPSecretKey chosen = null;
        for (PGPSecretKey key : ring) {
            if (!maySign(key.getPublicKey()) || key.isPrivateKeyEmpty()) {
                continue;
            }
            if (chosen == null || (!key.isMasterKey() && (chosen.isMasterKey()
                    || key.getPublicKey().getCreationTime().after(chosen.getPublicKey().getCreationTime())))) {
                chosen = key;
            }
        }
        if (chosen == null) {
            throw new KeyFileException("the OpenPGP key has no secret key that can sign");
        }
        return chosen;
    }

    /**
     * True when the key may make data signatures: its newest self-signature carrying key flags
     * grants signing, or, with no flags anywhere, its algorithm can sign. The flags matter because
     * GnuPG's default key has an RSA encryption subkey whose algorithm could sign but must not.
     */
    static boolean maySign(PGPPublicKey key) {
        PGPSignature newest = null;
        for (Iterator<PGPSignature> it = key.getSignatures(); it.hasNext(); ) {
            PGPSignature signature = it.next();
            boolean self = key.isMasterKey() ? signature.getKeyID() == key.getKeyID()
                    : signature.getSignatureType() == PGPSignature.SUBKEY_BINDING;
            if (self && signature.getHashedSubPackets() != null && signature.getHashedSubPackets().getKeyFlags() != 0
                    && (newest == null || signature.getCreationTime().after(newest.getCreationTime()))) {
                newest = signature;
            }
        }
        if (newest == null) {
            return SIGNING_ALGORITHMS.contains(key.getAlgorithm());
        }
        return (newest.getHashedSubPackets().getKeyFlags() & KeyFlags.SIGN_DATA) != 0;
    }

    /** Unlocks {@code key}; an unprotected key opens with any passphrase. */
    public static PGPPrivateKey unlock(PGPSecretKey key, char[] passphrase) {
        try {
            return key.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                    .build(passphrase == null ? new char[0] : passphrase));
        } catch (PGPException e) {
            throw new KeyFileException("cannot unlock OpenPGP key " + fingerprint(key.getPublicKey())
                    + ": wrong passphrase or damaged key", e);
        }
    }

    /** The fingerprint as GnuPG prints it without spaces: upper-case hex. */
    public static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().formatHex(key.getFingerprint()).toUpperCase(Locale.ROOT);
    }

    /** ASCII armor around binary OpenPGP data, as {@code gpg --armor} writes it. */
    public static String armor(byte[] binary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armored = ArmoredOutputStream.builder().clearHeaders().build(out)) {
            armored.write(binary);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
