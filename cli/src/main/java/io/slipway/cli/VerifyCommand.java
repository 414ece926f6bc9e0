package io.slipway.cli;

import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.sign.VerifyStep;
import io.slipway.trust.keys.KeyFileException;
import io.slipway.trust.verify.SignerKeys;
import io.slipway.trust.verify.VerificationResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway verify}: checks an image's cosign signatures against a public key. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify the signatures of an image (cosign and simple signing) against a public key.",
                "Exit codes: 0 verified, 5 no valid signature, 2 bad input, 4 registry unreachable."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    @Option(names = "--image", required = true, paramLabel = "REPO@DIGEST")
    String image;

    @Option(names = "--key", required = true, paramLabel = "PUB", description = "Public key file: PEM (as cosign.pub) or an OpenPGP public key export.")
    Path key;

    @Override
    public Integer call() throws Exception {
        PinnedImage input = PinnedImage.parse(image);
        if (!Files.isRegularFile(key)) {
            throw new IllegalArgumentException("no key file " + key);
        }
        io.slipway.trust.SignerKey signer;
        try {
            signer = SignerKeys.parse(key.getFileName().toString(), Files.readAllBytes(key));
        } catch (KeyFileException e) {
            throw new IllegalArgumentException("key " + key + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("key " + key + " is not a public key: " + e.getMessage());
        }
        RegistryAccess access = registry.access();
        VerificationResult result = new VerifyStep(access.client(), access.host(), Clock.systemUTC())
                .run(input, List.of(signer));
        if (result.isVerified()) {
            spec.commandLine().getOut().println("verified " + input + ": " + result.summary());
            return 0;
        }
        spec.commandLine().getErr().println("slipway: " + input + ": " + result.summary());
        return Slipway.POLICY_DENIED;
    }
}
