package io.slipway.trust.cosign;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.trust.Image;
import io.slipway.trust.keys.CosignKeyGenerator;
import io.slipway.trust.keys.KeyFiles;
import io.slipway.trust.keys.ScryptParams;
import io.slipway.trust.testing.ExternalTools;
import io.slipway.trust.testing.ExternalTools.Result;
import io.slipway.trust.testing.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cryptographic half of a cosign signature checked by an independent implementation: OpenSSL
 * must accept Slipway's ECDSA signature over the payload with the public key file Slipway wrote.
 * (The payload and manifest halves are checked against skopeo's output byte for byte elsewhere;
 * this machine's skopeo has sigstore support compiled out.)
 */
class OpensslInteropTest {

    @Test
    void opensslVerifiesSlipwaysCosignSignature(@TempDir Path dir) throws Exception {
        ExternalTools.require("openssl");
        CosignKeyGenerator.KeyPairFiles files = new CosignKeyGenerator(new SecureRandom(), new ScryptParams(1024, 8, 1))
                .writeTo(dir, "cosign", "pw".toCharArray());
        CosignSigner signer = new CosignSigner(KeyFiles.readPrivateKey(Files.readString(files.privateKey()), "pw".toCharArray()),
                Clock.systemUTC());
        CosignSignature signature = signer.sign(Image.of(Vectors.IMAGE_REFERENCE, Vectors.bytes("cosign/image-manifest.json")));
        Path payload = Files.write(dir.resolve("payload.json"), signature.payload());
        Path der = Files.write(dir.resolve("signature.der"), Base64.getDecoder().decode(signature.base64Signature()));

        Result verified = ExternalTools.run(Map.of(), "openssl", "dgst", "-sha256", "-verify", files.publicKey().toString(),
                "-signature", der.toString(), payload.toString());
        assertThat(verified.exitCode()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("Verified OK");

        Files.write(payload, new String(signature.payload()).replace("v1", "v2").getBytes());
        Result tampered = ExternalTools.run(Map.of(), "openssl", "dgst", "-sha256", "-verify", files.publicKey().toString(),
                "-signature", der.toString(), payload.toString());
        assertThat(tampered.exitCode()).as(tampered.output()).isNotZero();
    }
}
