package io.slipway.cli;

import io.slipway.pipeline.ImageInput;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.sign.SignStep;
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

    @Option(names = "--format", defaultValue = "cosign", description = "Signature format (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() throws Exception {
        if (!"cosign".equals(format)) {
            throw new IllegalArgumentException("signature format \"" + format + "\" is not supported by slipway sign yet (cosign is)");
        }
        ImageInput input = ImageInput.parse(image);
        ECPrivateKey privateKey = readKey(key);
        RegistryAccess access = registry.access();
        var out = spec.commandLine().getOut();
        SignStep.Result r = new SignStep(access.client(), access.host(), Clock.systemUTC(), out::println).run(input, privateKey);
        out.println("signature stored: " + r.image().repository() + ":" + r.tag() + " (" + r.signatures() + " signature(s))");
        return 0;
    }

    static ECPrivateKey readKey(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no key file " + file);
        }
        String passphrase = System.getenv().getOrDefault("COSIGN_PASSWORD", "");
        try {
            return KeyFiles.readPrivateKey(Files.readString(file), passphrase.toCharArray());
        } catch (KeyFileException e) {
            throw new IllegalArgumentException("key " + file + ": " + e.getMessage());
        }
    }
}
