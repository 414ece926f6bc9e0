package io.slipway.trust.simplesigning;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.SignerKey;
import io.slipway.trust.VerifiedSignature;
import io.slipway.trust.testing.ExternalTools;
import io.slipway.trust.testing.ExternalTools.Result;
import io.slipway.trust.testing.Vectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slipway's simple signatures against the real tools: skopeo's standalone-verify (containers/image
 * with GnuPG) must accept what Slipway signs, and Slipway must accept what skopeo's standalone-sign
 * makes with a GnuPG key.
 */
class SkopeoInteropTest {

    private static final String REFERENCE = "127.0.0.1:5090/vectors/app:v1";

    private Path home;
    private Path work;
    private Map<String, String> gnupg;

    @BeforeEach
    void createGnupgHome() throws Exception {
        ExternalTools.require("skopeo", "gpg", "gpgconf");
        // A short path under /tmp: gpg-agent's socket path must fit in 108 bytes.
        home = Files.createTempDirectory(Path.of("/tmp"), "sw-gpg", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        work = Files.createTempDirectory("sw-skopeo");
        gnupg = Map.of("GNUPGHOME", home.toString());
    }

    @AfterEach
    void stopAgentAndClean() throws Exception {
        if (home == null) {
            return;
        }
        // The agent gpg started for this home only; other homes' agents are untouched.
        ExternalTools.run(gnupg, "gpgconf", "--kill", "gpg-agent");
        for (Path dir : List.of(home, work)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void skopeoVerifiesWhatSlipwaySigns() throws Exception {
        OpenPgpKeyGenerator.GeneratedKey key = new OpenPgpKeyGenerator(OpenPgpTestKeys.RANDOM, 2048)
                .generate("Slipway Test <slipway@test.invalid>", new char[0], Instant.now().minus(Duration.ofMinutes(5)), null);
        OpenPgpKeyGenerator.GeneratedKey other = OpenPgpTestKeys.generate("other", Instant.now().minus(Duration.ofMinutes(5)), null);
        importPublicKey(key.armoredPublicKey());
        importPublicKey(other.armoredPublicKey());

        byte[] manifest = Vectors.bytes("simple-signing/image-manifest.json");
        Path manifestFile = Files.write(work.resolve("manifest.json"), manifest);
        byte[] signature = new SimpleSigningSigner(key.secretKeys().getSecretKey(), new char[0], Clock.systemUTC())
                .sign(Image.of(REFERENCE, manifest));
        Path signatureFile = Files.write(work.resolve("signature"), signature);

        Result accepted = ExternalTools.run(gnupg, "skopeo", "standalone-verify",
                manifestFile.toString(), REFERENCE, key.fingerprint(), signatureFile.toString());
        assertThat(accepted.exitCode()).as(accepted.output()).isZero();
        assertThat(accepted.output()).contains("Signature verified").contains(Vectors.IMAGE_DIGEST);

        Result otherKey = ExternalTools.run(gnupg, "skopeo", "standalone-verify",
                manifestFile.toString(), REFERENCE, other.fingerprint(), signatureFile.toString());
        assertThat(otherKey.exitCode()).as(otherKey.output()).isNotZero();
        Result otherName = ExternalTools.run(gnupg, "skopeo", "standalone-verify",
                manifestFile.toString(), "127.0.0.1:5090/vectors/other:v1", key.fingerprint(), signatureFile.toString());
        assertThat(otherName.exitCode()).as(otherName.output()).isNotZero();
    }

    @Test
    void slipwayVerifiesWhatSkopeoSigns() throws Exception {
        Result generated = ExternalTools.run(gnupg, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                "--quick-gen-key", "Skopeo Test <skopeo@test.invalid>", "rsa2048", "sign", "never");
        assertThat(generated.exitCode()).as(generated.output()).isZero();
        String fingerprint = fingerprint();

        Path manifestFile = Files.write(work.resolve("manifest.json"), Vectors.bytes("simple-signing/image-manifest.json"));
        Path signatureFile = work.resolve("signature");
        Result signed = ExternalTools.run(gnupg, "skopeo", "standalone-sign",
                manifestFile.toString(), REFERENCE, fingerprint, "-o", signatureFile.toString());
        assertThat(signed.exitCode()).as(signed.output()).isZero();

        Result exported = ExternalTools.run(gnupg, "gpg", "--batch", "--armor", "--export", fingerprint);
        assertThat(exported.exitCode()).as(exported.output()).isZero();
        SignerKey.OpenPgp trusted = new SignerKey.OpenPgp("gpg", OpenPgpKeys.readPublicKeys(exported.output().getBytes(StandardCharsets.US_ASCII)));

        byte[] signature = Files.readAllBytes(signatureFile);
        Image image = Image.of(REFERENCE, Vectors.bytes("simple-signing/image-manifest.json"));
        VerifiedSignature verified = new SimpleSigningVerifier(List.of(trusted), Clock.systemUTC())
                .verify(signature, image, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        assertThat(verified.keyId()).isEqualTo(fingerprint);
        assertThat(verified.payload().dockerReference()).isEqualTo(REFERENCE);
        assertThat(verified.payload().creator()).startsWith("atomic ");

        SignerKey.OpenPgp stranger = OpenPgpTestKeys.trust("stranger",
                OpenPgpTestKeys.generate("stranger", Instant.now().minus(Duration.ofMinutes(5)), null).publicKeys());
        SimpleSigningVectorTest.assertRefused(new SimpleSigningVerifier(List.of(stranger), Clock.systemUTC()), signature, image, Reason.UNKNOWN_SIGNER);
    }

    @Test
    void skopeoVerifiesWhatSlipwaySignsWithAGnupgDefaultKey() throws Exception {
        // GnuPG's default key: an RSA primary that signs and an RSA subkey only for encryption.
        Result generated = ExternalTools.run(gnupg, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "pw",
                "--quick-gen-key", "Default Key <default@test.invalid>", "default", "default", "never");
        assertThat(generated.exitCode()).as(generated.output()).isZero();
        String fingerprint = fingerprint();
        Result exported = ExternalTools.run(gnupg, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "pw",
                "--armor", "--export-secret-keys", fingerprint);
        assertThat(exported.exitCode()).as(exported.output()).isZero();

        byte[] manifest = Vectors.bytes("simple-signing/image-manifest.json");
        SimpleSigningSigner signer = SimpleSigningSigner.fromExport(exported.output().getBytes(StandardCharsets.US_ASCII),
                "pw".toCharArray(), Clock.systemUTC());
        assertThat(signer.fingerprint()).as("the signing primary, not the encryption subkey").isEqualTo(fingerprint);
        Path manifestFile = Files.write(work.resolve("manifest.json"), manifest);
        Path signatureFile = Files.write(work.resolve("signature"), signer.sign(Image.of(REFERENCE, manifest)));

        Result accepted = ExternalTools.run(gnupg, "skopeo", "standalone-verify",
                manifestFile.toString(), REFERENCE, fingerprint, signatureFile.toString());
        assertThat(accepted.exitCode()).as(accepted.output()).isZero();
        assertThat(accepted.output()).contains("Signature verified");
    }

    private void importPublicKey(String armored) throws Exception {
        Path file = Files.writeString(work.resolve("key-" + System.nanoTime() + ".asc"), armored);
        Result imported = ExternalTools.run(gnupg, "gpg", "--batch", "--import", file.toString());
        assertThat(imported.exitCode()).as(imported.output()).isZero();
    }

    private String fingerprint() throws Exception {
        Result listed = ExternalTools.run(gnupg, "gpg", "--batch", "--with-colons", "--list-secret-keys");
        return listed.output().lines().filter(l -> l.startsWith("fpr:")).findFirst()
                .map(l -> l.split(":")[9]).orElseThrow(() -> new AssertionError("no key listed: " + listed.output()));
    }
}
