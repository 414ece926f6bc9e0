package io.slipway.cli;

import io.slipway.trust.keys.CosignKeyGenerator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway key generate}: a signing key pair in cosign's format. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Signing keys.", subcommands = KeyCommand.Generate.class)
final class KeyCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write cosign.key (encrypted, 0600) and cosign.pub; the passphrase comes from COSIGN_PASSWORD.")
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--output-dir", defaultValue = ".", paramLabel = "DIR")
        Path dir;

        @Option(names = "--name", defaultValue = "cosign", description = "File name prefix (default: ${DEFAULT-VALUE}).")
        String name;

        @Override
        public Integer call() throws Exception {
            String passphrase = System.getenv().getOrDefault("COSIGN_PASSWORD", "");
            new CosignKeyGenerator().writeTo(dir, name, passphrase.toCharArray());
            spec.commandLine().getOut().println("Wrote " + dir.resolve(name + ".key") + " and " + dir.resolve(name + ".pub") + ".");
            return 0;
        }
    }
}
