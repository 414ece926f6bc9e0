package io.slipway.trust.verify;

import io.slipway.trust.SignerKey;
import io.slipway.trust.keys.KeyFileException;
import io.slipway.trust.keys.KeyFiles;
import io.slipway.trust.simplesigning.OpenPgpKeys;
import java.nio.charset.StandardCharsets;

/** Reads a verification key file of either format, telling them apart by content. */
public final class SignerKeys {

    private SignerKeys() {
    }

    /**
     * A {@code PUBLIC KEY} PEM block is a cosign key; an OpenPGP export (armored or binary) is a
     * simple-signing keyring.
     *
     * @throws KeyFileException when the content is neither
     */
    public static SignerKey parse(String name, byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN PUBLIC KEY-----")) {
            return new SignerKey.Cosign(name, KeyFiles.readPublicKey(text));
        }
        if (text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") || (content.length > 0 && (content[0] & 0x80) != 0)) {
            return new SignerKey.OpenPgp(name, OpenPgpKeys.readPublicKeys(content));
        }
        throw new KeyFileException("key \"" + name + "\" is neither a PEM public key (cosign) nor an OpenPGP public key");
    }
}
