package io.slipway.trust;

import java.security.PublicKey;
import java.util.Objects;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;

/**
 * A key trusted to sign images, under the name a policy or a command line gave it. The format of
 * the key decides which signatures it can verify: a cosign key checks cosign signatures, an OpenPGP
 * keyring checks simple-signing signatures.
 */
public sealed interface SignerKey {

    /** The name the key is known by (a file name, a policy's key name); reported as the signer. */
    String name();

    /** A cosign verification key (ECDSA, from a {@code PUBLIC KEY} PEM block). */
    record Cosign(String name, PublicKey key) implements SignerKey {
        public Cosign {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(key, "key");
        }
    }

    /** One or more OpenPGP public keys (an exported keyring); any of them may sign. */
    record OpenPgp(String name, PGPPublicKeyRingCollection keyring) implements SignerKey {
        public OpenPgp {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(keyring, "keyring");
        }
    }
}
