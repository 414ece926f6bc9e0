package io.slipway.trust.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.trust.testing.Vectors;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CosignEncryptedKeyTest {

    // Cheap parameters keep the tests fast; the vector proves the default ones.
    private static final ScryptParams FAST = new ScryptParams(1024, 8, 1);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void opensTheKeySkopeoGenerated() throws Exception {
        char[] passphrase = Vectors.text("cosign/passphrase.txt").toCharArray();
        ECPrivateKey key = KeyFiles.readPrivateKey(Vectors.text("cosign/signer.private"), passphrase);
        ECPublicKey published = KeyFiles.readPublicKey(Vectors.text("cosign/signer.pub"));
        assertThat(EcKeys.isP256(key)).isTrue();

        // The decrypted key is the one whose public half skopeo published: what it signs, that key verifies.
        byte[] message = "proof of possession".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(message);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(published);
        verifier.update(message);
        assertThat(verifier.verify(signer.sign())).isTrue();
    }

    @Test
    void refusesTheWrongPassphrase() {
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(Vectors.text("cosign/signer.private"), "vector-pas".toCharArray()))
                .isInstanceOf(WrongPassphraseException.class);
    }

    @Test
    void writesTheEnvelopeCosignReads() {
        KeyPair pair = EcKeys.generateP256(RANDOM);
        PemBlock block = CosignEncryptedKey.encrypt(pair.getPrivate().getEncoded(), "pw".toCharArray(), FAST, RANDOM);
        assertThat(block.type()).isEqualTo("ENCRYPTED COSIGN PRIVATE KEY");
        String json = new String(block.bytes(), StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1024,\"r\":8,\"p\":1},\"salt\":\"")
                .contains("\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"")
                .contains("\"ciphertext\":\"");
        assertThat(CosignEncryptedKey.decrypt(block, "pw".toCharArray())).isEqualTo(pair.getPrivate().getEncoded());
        assertThat(KeyFiles.readPrivateKey(block.encode(), "pw".toCharArray())).isEqualTo(pair.getPrivate());
    }

    @Test
    void readsTheSigstoreLabelToo() {
        KeyPair pair = EcKeys.generateP256(RANDOM);
        PemBlock cosign = CosignEncryptedKey.encrypt(pair.getPrivate().getEncoded(), new char[0], FAST, RANDOM);
        PemBlock sigstore = new PemBlock("ENCRYPTED SIGSTORE PRIVATE KEY", cosign.bytes());
        assertThat(KeyFiles.readPrivateKey(sigstore.encode(), new char[0])).isEqualTo(pair.getPrivate());
    }

    @Test
    void detectsAnyChangeToTheCiphertext() {
        KeyPair pair = EcKeys.generateP256(RANDOM);
        PemBlock block = CosignEncryptedKey.encrypt(pair.getPrivate().getEncoded(), "pw".toCharArray(), FAST, RANDOM);
        String json = new String(block.bytes(), StandardCharsets.UTF_8);
        String ciphertext = json.substring(json.indexOf("\"ciphertext\":\"") + 14, json.lastIndexOf('"'));
        byte[] box = Base64.getDecoder().decode(ciphertext);
        box[box.length - 1] ^= 1;
        PemBlock damaged = new PemBlock(block.type(),
                json.replace(ciphertext, Base64.getEncoder().encodeToString(box)).getBytes(StandardCharsets.UTF_8));
        // A damaged box and a wrong passphrase look the same to an authenticated cipher.
        assertThatThrownBy(() -> CosignEncryptedKey.decrypt(damaged, "pw".toCharArray())).isInstanceOf(WrongPassphraseException.class);
    }

    @Test
    void refusesHostileOrForeignEnvelopes() {
        String hugeN = "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1073741824,\"r\":8,\"p\":1},\"salt\":\"AAAA\"},"
                + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"},\"ciphertext\":\"AAAA\"}";
        assertThatThrownBy(() -> CosignEncryptedKey.decrypt(block(hugeN), new char[0]))
                .isInstanceOf(KeyFileException.class).hasMessageContaining("exceed");
        String otherKdf = hugeN.replace("\"scrypt\"", "\"pbkdf2\"");
        assertThatThrownBy(() -> CosignEncryptedKey.decrypt(block(otherKdf), new char[0]))
                .isInstanceOf(KeyFileException.class).hasMessageContaining("pbkdf2");
        String otherCipher = hugeN.replace("nacl/secretbox", "aes-gcm");
        assertThatThrownBy(() -> CosignEncryptedKey.decrypt(block(otherCipher), new char[0]))
                .isInstanceOf(KeyFileException.class).hasMessageContaining("aes-gcm");
        assertThatThrownBy(() -> CosignEncryptedKey.decrypt(block("not json"), new char[0]))
                .isInstanceOf(KeyFileException.class);
    }

    private static PemBlock block(String json) {
        return new PemBlock(CosignEncryptedKey.PEM_TYPE, json.getBytes(StandardCharsets.UTF_8));
    }
}
