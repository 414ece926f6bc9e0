package io.slipway.trust.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.trust.testing.Vectors;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;

class KeyFilesTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void readsPlainPkcs8AndSec1Keys() throws Exception {
        KeyPair pair = EcKeys.generateP256(RANDOM);
        String pkcs8 = KeyFiles.privateKeyPem((java.security.interfaces.ECPrivateKey) pair.getPrivate());
        assertThat(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(KeyFiles.readPrivateKey(pkcs8, null)).isEqualTo(pair.getPrivate());

        // OpenSSL's "EC PRIVATE KEY" is SEC1, naming its curve inside the key.
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
        BigInteger d = ((java.security.interfaces.ECPrivateKey) pair.getPrivate()).getS();
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, d, info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
        java.security.interfaces.ECPrivateKey read = KeyFiles.readPrivateKey(new PemBlock("EC PRIVATE KEY", sec1).encode(), null);
        assertThat(read.getS()).isEqualTo(d);
        assertThat(EcKeys.isP256(read)).isTrue();

        byte[] withoutCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(256, d).getEncoded();
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(new PemBlock("EC PRIVATE KEY", withoutCurve).encode(), null))
                .isInstanceOf(KeyFileException.class).hasMessageContaining("curve");
    }

    @Test
    void readsThePublicKeyAndWritesItBackIdentically() {
        String pem = Vectors.text("cosign/signer.pub");
        assertThat(KeyFiles.publicKeyPem(KeyFiles.readPublicKey(pem))).isEqualTo(pem.strip() + "\n");
    }

    @Test
    void refusesOtherCurvesAndAlgorithms() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp384r1"));
        String p384 = new PemBlock("PRIVATE KEY", ec.generateKeyPair().getPrivate().getEncoded()).encode();
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(p384, null)).isInstanceOf(KeyFileException.class).hasMessageContaining("P-256");

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaPair = rsa.generateKeyPair();
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(new PemBlock("PRIVATE KEY", rsaPair.getPrivate().getEncoded()).encode(), null))
                .isInstanceOf(KeyFileException.class);
        assertThatThrownBy(() -> KeyFiles.readPublicKey(new PemBlock("PUBLIC KEY", rsaPair.getPublic().getEncoded()).encode()))
                .isInstanceOf(KeyFileException.class);
    }

    @Test
    void refusesWrongPemTypesAndBrokenPem() {
        String pub = Vectors.text("cosign/signer.pub");
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(pub, null)).isInstanceOf(KeyFileException.class).hasMessageContaining("PUBLIC KEY");
        assertThatThrownBy(() -> KeyFiles.readPublicKey(Vectors.text("cosign/signer.private"))).isInstanceOf(KeyFileException.class);
        assertThatThrownBy(() -> KeyFiles.readPublicKey("no pem here")).isInstanceOf(KeyFileException.class);
        assertThatThrownBy(() -> KeyFiles.readPublicKey(pub.replace("-----END PUBLIC KEY-----", ""))).isInstanceOf(KeyFileException.class);
        assertThatThrownBy(() -> KeyFiles.readPublicKey(pub.replace("MFkw", "M!kw"))).isInstanceOf(KeyFileException.class);
        assertThatThrownBy(() -> KeyFiles.readPublicKey(pub + pub)).isInstanceOf(KeyFileException.class).hasMessageContaining("one PEM block");
    }

    @Test
    void pemLinesAreSixtyFourCharacters() {
        byte[] bytes = new byte[100];
        RANDOM.nextBytes(bytes);
        String pem = new PemBlock("TEST", bytes).encode();
        assertThat(pem.lines().skip(1).findFirst().orElseThrow()).hasSize(64);
        assertThat(PemBlock.parseOne("garbage before\n" + pem + "after").bytes()).isEqualTo(bytes);
        assertThat(Base64.getEncoder().encodeToString(bytes)).startsWith(pem.lines().skip(1).findFirst().orElseThrow());
    }
}
