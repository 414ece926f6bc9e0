package io.slipway.trust.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * cosign's encrypted private key file: a PEM block whose body is the JSON envelope of
 * go-securesystemslib's {@code encrypted} package,
 * <pre>{"kdf":{"name":"scrypt","params":{"N":…,"r":…,"p":…},"salt":…},
 *  "cipher":{"name":"nacl/secretbox","nonce":…},"ciphertext":…}</pre>
 * with a 32-byte scrypt key derived from the passphrase (UTF-8) sealing the PKCS#8 DER of the key.
 */
public final class CosignEncryptedKey {

    /**
     * The PEM label written. cosign reads both labels, but containers/image (skopeo) reads only
     * this older one, so writing it keeps Slipway's keys usable by every tool.
     */
    public static final String PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY";
    /** The label newer cosign releases write; read as well. */
    public static final String SIGSTORE_PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY";

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int SALT_LENGTH = 32;

    private CosignEncryptedKey() {
    }

    public static boolean isEncryptedKeyType(String pemType) {
        return PEM_TYPE.equals(pemType) || SIGSTORE_PEM_TYPE.equals(pemType);
    }

    /** Encrypts PKCS#8 DER under {@code passphrase} (which may be empty, as cosign allows). */
    public static PemBlock encrypt(byte[] pkcs8, char[] passphrase, ScryptParams params, SecureRandom random) {
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        byte[] nonce = new byte[SecretBox.NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] key = deriveKey(passphrase, salt, params);
        byte[] box = SecretBox.seal(key, nonce, pkcs8);
        Arrays.fill(key, (byte) 0);

        Base64.Encoder b64 = Base64.getEncoder();
        ObjectNode envelope = JSON.createObjectNode();
        ObjectNode kdf = envelope.putObject("kdf");
        kdf.put("name", "scrypt");
        kdf.putObject("params").put("N", params.n()).put("r", params.r()).put("p", params.p());
        kdf.put("salt", b64.encodeToString(salt));
        ObjectNode cipher = envelope.putObject("cipher");
        cipher.put("name", "nacl/secretbox");
        cipher.put("nonce", b64.encodeToString(nonce));
        envelope.put("ciphertext", b64.encodeToString(box));
        try {
            return new PemBlock(PEM_TYPE, JSON.writeValueAsBytes(envelope));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The PKCS#8 DER inside an encrypted block.
     *
     * @throws WrongPassphraseException when the passphrase does not open it
     * @throws KeyFileException         when the envelope is malformed or uses another KDF or cipher
     */
    public static byte[] decrypt(PemBlock block, char[] passphrase) {
        if (!isEncryptedKeyType(block.type())) {
            throw new KeyFileException("not an encrypted cosign key: PEM type " + block.type());
        }
        JsonNode envelope;
        try {
            envelope = JSON.readTree(block.bytes());
        } catch (IOException e) {
            throw new KeyFileException("encrypted key is not valid JSON");
        }
        JsonNode kdf = envelope.path("kdf");
        JsonNode cipher = envelope.path("cipher");
        if (!"scrypt".equals(kdf.path("name").asText(null))) {
            throw new KeyFileException("unsupported key derivation \"" + kdf.path("name").asText("") + "\" (expected scrypt)");
        }
        if (!"nacl/secretbox".equals(cipher.path("name").asText(null))) {
            throw new KeyFileException("unsupported cipher \"" + cipher.path("name").asText("") + "\" (expected nacl/secretbox)");
        }
        JsonNode params = kdf.path("params");
        if (!params.path("N").isInt() || !params.path("r").isInt() || !params.path("p").isInt()) {
            throw new KeyFileException("scrypt parameters N, r, p must be integers");
        }
        ScryptParams scrypt = new ScryptParams(params.get("N").intValue(), params.get("r").intValue(), params.get("p").intValue());
        byte[] salt = base64(kdf.path("salt"), "kdf.salt");
        byte[] nonce = base64(cipher.path("nonce"), "cipher.nonce");
        byte[] box = base64(envelope.path("ciphertext"), "ciphertext");
        if (nonce.length != SecretBox.NONCE_LENGTH) {
            throw new KeyFileException("cipher.nonce must be 24 bytes");
        }
        byte[] key = deriveKey(passphrase, salt, scrypt);
        byte[] plaintext = SecretBox.open(key, nonce, box);
        Arrays.fill(key, (byte) 0);
        if (plaintext == null) {
            throw new WrongPassphraseException();
        }
        return plaintext;
    }

    private static byte[] deriveKey(char[] passphrase, byte[] salt, ScryptParams params) {
        byte[] password = utf8(passphrase);
        try {
            return SCrypt.generate(password, salt, params.n(), params.r(), params.p(), SecretBox.KEY_LENGTH);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    private static byte[] utf8(char[] chars) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }

    private static byte[] base64(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw new KeyFileException(field + " is missing");
        }
        try {
            return Base64.getDecoder().decode(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(field + " is not valid base64");
        }
    }
}
