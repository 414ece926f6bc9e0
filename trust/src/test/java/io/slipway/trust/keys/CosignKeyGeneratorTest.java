package io.slipway.trust.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CosignKeyGeneratorTest {

    private final CosignKeyGenerator generator = new CosignKeyGenerator(new SecureRandom(), new ScryptParams(1024, 8, 1));

    @Test
    void writesAKeyPairInCosignsFormat(@TempDir Path dir) throws Exception {
        CosignKeyGenerator.KeyPairFiles files = generator.writeTo(dir, "cosign", "s3cret".toCharArray());

        assertThat(files.privateKey()).isEqualTo(dir.resolve("cosign.key"));
        assertThat(files.publicKey()).isEqualTo(dir.resolve("cosign.pub"));
        assertThat(Files.readString(files.privateKey())).startsWith("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n");
        assertThat(Files.readString(files.publicKey())).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.privateKey()))).isEqualTo("rw-------");

        ECPrivateKey key = KeyFiles.readPrivateKey(Files.readString(files.privateKey()), "s3cret".toCharArray());
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(KeyFiles.readPublicKey(Files.readString(files.publicKey())));
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).isTrue();
    }

    @Test
    void neverOverwritesAKey(@TempDir Path dir) throws Exception {
        generator.writeTo(dir, "release", new char[0]);
        String before = Files.readString(dir.resolve("release.key"));
        assertThatThrownBy(() -> generator.writeTo(dir, "release", new char[0])).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(dir.resolve("release.key"))).isEqualTo(before);
    }

    @Test
    void defaultParametersAreSkopeos() {
        CosignKeyGenerator.GeneratedKeyPair pair = new CosignKeyGenerator().generate("pw".toCharArray());
        String json = new String(PemBlock.parseOne(pair.privateKeyPem()).bytes());
        assertThat(json).contains("\"N\":65536,\"r\":8,\"p\":1");
        assertThat(KeyFiles.readPublicKey(pair.publicKeyPem())).isEqualTo(pair.publicKey());
    }
}
