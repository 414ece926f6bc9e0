package io.slipway.cli;

import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.sign.SignStep;
import io.slipway.pipeline.sign.SimpleSignStep;
import io.slipway.trust.simplesigning.SimpleSigningSigner;
import io.slipway.trust.keys.KeyFileException;
import io.slipway.trust.keys.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway sign}: a cosign signature for an image, stored next to it in the registry. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Sign an image by digest (cosign format) and store the signature as REPO:sha256-<hex>.sig.")
final class SignCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    @Option(names = "--image", required = true, paramLabel = "REPO@DIGEST")
    String image;

    @Option(names = "--key", required = true, paramLabel = "KEY",
            description = "Private key file: an encrypted cosign key (passphrase from COSIGN_PASSWORD) or a PKCS#8 PEM.")
    Path key;

    @Option(names = "--format", defaultValue = "cosign", description = "cosign or simple-signing (an OpenPGP secret key export; passphrase from SLIPWAY_GPG_PASSPHRASE). Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() throws Exception {
        PinnedImage input = PinnedImage.parse(image);
        var out = spec.commandLine().getOut();
        if ("simple-signing".equals(format)) {
            SimpleSigningSigner signer = readOpenPgpKey(key);
            RegistryAccess access = registry.access();
            SimpleSignStep.Result r = new SimpleSignStep(access.client(), access.host(), out::println).run(input, signer);
            out.println("signature stored: " + r.name() + " (simple signing, key " + r.fingerprint() + ")");
            return 0;
        }
        if (!"cosign".equals(format)) {
            throw new IllegalArgumentException("unknown signature format \"" + format + "\" (cosign or simple-signing)");
        }
        ECPrivateKey privateKey = readKey(key);
        RegistryAccess access = registry.access();
        SignStep.Result r = new SignStep(access.client(), access.host(), Clock.systemUTC(), out::println).run(input, privateKey);
        out.println("signature stored: " + r.image().repository() + ":" + r.tag() + " (" + r.signatures() + " signature(s))");
        return 0;
    }

    /** An exported OpenPGP secret key (gpg --export-secret-keys, binary or armored); passphrase from SLIPWAY_GPG_PASSPHRASE. */
    static SimpleSigningSigner readOpenPgpKey(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no key file " + file);
        }
        String passphrase = System.getenv().getOrDefault("SLIPWAY_GPG_PASSPHRASE", "");
        try {
            return SimpleSigningSigner.fromExport(Files.readAllBytes(file), passphrase.toCharArray(), Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("key " + file + " is not a usable OpenPGP secret key: " + e.getMessage());
        }
    }

    static ECPrivateKey readKey(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no key file " + file);
        }
        String passphrase = System.getenv().getOrDefault("COSIGN_PASSWORD", "");
        try {
            // decoded leniently: a binary file must end as "not a key", not as a charset error
            return KeyFiles.readPrivateKey(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8),
                    passphrase.toCharArray());
        } catch (KeyFileException e) {
            throw new IllegalArgumentException("key " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // not PEM at all: the key parser's own complaint, but still the caller's input
            throw new IllegalArgumentException("key " + file + " is not a PEM private key: " + e.getMessage());
        }
    }
}
