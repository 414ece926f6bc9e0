package io.slipway.trust.simplesigning;

import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignatureVerificationException.Reason;
import java.time.Instant;
import java.util.Iterator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Whether an OpenPGP key may still vouch for a signature, judged as GnuPG does when
 * containers/image asks it: a revoked key or an expired one is refused, even for signatures made
 * while it was good, because a key is revoked precisely when its old signatures can no longer be
 * believed. Revocations and subkey bindings count only when they verify with the primary key, so a
 * stray packet in a keyring can neither revoke a key nor bind a foreign subkey.
 */
final class KeyValidity {

    private KeyValidity() {
    }

    /**
     * Throws unless {@code signingKey} (the primary key itself, or one of its subkeys) is valid for
     * signing at {@code now}.
     */
    static void requireValid(PGPPublicKey primary, PGPPublicKey signingKey, Instant now)
            throws SignatureVerificationException {
        String fingerprint = OpenPgpKeys.fingerprint(signingKey);
        if (isRevoked(primary, primary, PGPSignature.KEY_REVOCATION)) {
            throw new SignatureVerificationException(Reason.KEY_REVOKED,
                    "OpenPGP key " + OpenPgpKeys.fingerprint(primary) + " has been revoked");
        }
        requireNotExpired(primary, now);
        if (signingKey != primary) {
            if (isRevoked(primary, signingKey, PGPSignature.SUBKEY_REVOCATION)) {
                throw new SignatureVerificationException(Reason.KEY_REVOKED,
                        "OpenPGP subkey " + fingerprint + " has been revoked");
            }
            if (validBinding(primary, signingKey) == null) {
                throw new SignatureVerificationException(Reason.UNKNOWN_SIGNER,
                        "OpenPGP subkey " + fingerprint + " is not bound to its primary key by a valid signature");
            }
            requireNotExpired(signingKey, now);
        }
        if (!OpenPgpKeys.maySign(signingKey)) {
            throw new SignatureVerificationException(Reason.UNKNOWN_SIGNER,
                    "OpenPGP key " + fingerprint + " is not allowed to sign (its key flags say otherwise)");
        }
    }

    private static void requireNotExpired(PGPPublicKey key, Instant now) throws SignatureVerificationException {
        long validSeconds = key.getValidSeconds();
        if (validSeconds > 0) {
            Instant expiry = key.getCreationTime().toInstant().plusSeconds(validSeconds);
            if (!now.isBefore(expiry)) {
                throw new SignatureVerificationException(Reason.KEY_EXPIRED,
                        "OpenPGP key " + OpenPgpKeys.fingerprint(key) + " expired at " + expiry);
            }
        }
    }

    private static boolean isRevoked(PGPPublicKey primary, PGPPublicKey key, int revocationType) {
        for (Iterator<PGPSignature> it = key.getSignaturesOfType(revocationType); it.hasNext(); ) {
            PGPSignature revocation = it.next();
            try {
                revocation.init(new BcPGPContentVerifierBuilderProvider(), primary);
                boolean valid = key == primary ? revocation.verifyCertification(primary)
                        : revocation.verifyCertification(primary, key);
                if (valid) {
                    return true;
                }
            } catch (PGPException | RuntimeException e) {
                // A revocation that cannot be checked does not revoke.
            }
        }
        return false;
    }

    private static PGPSignature validBinding(PGPPublicKey primary, PGPPublicKey subkey) {
        for (Iterator<PGPSignature> it = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING); it.hasNext(); ) {
            PGPSignature binding = it.next();
            try {
                binding.init(new BcPGPContentVerifierBuilderProvider(), primary);
                if (binding.verifyCertification(primary, subkey)) {
                    return binding;
                }
            } catch (PGPException | RuntimeException e) {
                // Try the next binding.
            }
        }
        return null;
    }
}
