package io.slipway.trust.keys;

import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl {@code crypto_secretbox}: XSalsa20 encryption with a Poly1305 tag, the cipher cosign's
 * encrypted key files name {@code nacl/secretbox}. The box is {@code tag(16) || ciphertext}, the
 * layout of Go's {@code secretbox.Seal}. The Poly1305 key is the first 32 bytes of the XSalsa20
 * stream and the message is encrypted with the stream that follows, as NaCl specifies.
 */
final class SecretBox {

    static final int KEY_LENGTH = 32;
    static final int NONCE_LENGTH = 24;
    static final int TAG_LENGTH = 16;

    private SecretBox() {
    }

    static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext) {
        XSalsa20Engine stream = stream(key, nonce);
        byte[] macKey = macKey(stream);
        byte[] box = new byte[TAG_LENGTH + plaintext.length];
        stream.processBytes(plaintext, 0, plaintext.length, box, TAG_LENGTH);
        byte[] tag = tag(macKey, box, TAG_LENGTH, plaintext.length);
        System.arraycopy(tag, 0, box, 0, TAG_LENGTH);
        Arrays.fill(macKey, (byte) 0);
        return box;
    }

    /** The plaintext, or null when the tag does not verify (wrong key, or damaged box). */
    static byte[] open(byte[] key, byte[] nonce, byte[] box) {
        if (box.length < TAG_LENGTH) {
            return null;
        }
        XSalsa20Engine stream = stream(key, nonce);
        byte[] macKey = macKey(stream);
        byte[] expected = tag(macKey, box, TAG_LENGTH, box.length - TAG_LENGTH);
        Arrays.fill(macKey, (byte) 0);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(box, 0, TAG_LENGTH))) {
            return null;
        }
        byte[] plaintext = new byte[box.length - TAG_LENGTH];
        stream.processBytes(box, TAG_LENGTH, plaintext.length, plaintext, 0);
        return plaintext;
    }

    private static XSalsa20Engine stream(byte[] key, byte[] nonce) {
        if (key.length != KEY_LENGTH || nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("secretbox needs a 32-byte key and a 24-byte nonce");
        }
        XSalsa20Engine engine = new XSalsa20Engine();
        engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        return engine;
    }

    private static byte[] macKey(XSalsa20Engine stream) {
        byte[] macKey = new byte[32];
        stream.processBytes(new byte[32], 0, 32, macKey, 0);
        return macKey;
    }

    private static byte[] tag(byte[] macKey, byte[] data, int offset, int length) {
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(macKey));
        mac.update(data, offset, length);
        byte[] tag = new byte[TAG_LENGTH];
        mac.doFinal(tag, 0);
        return tag;
    }
}
