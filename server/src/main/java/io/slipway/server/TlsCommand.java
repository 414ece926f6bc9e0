package io.slipway.server;

import io.slipway.registry.tls.SelfSigned;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway tls …}: certificates for the registry's HTTPS listeners. */
@Command(name = "tls", description = "Certificates for the registry's HTTPS listeners.", mixinStandardHelpOptions = true,
        subcommands = {TlsCommand.SelfSignedCommand.class})
final class TlsCommand {

    @Command(name = "self-signed", mixinStandardHelpOptions = true,
            description = "Write a new CA (ca.crt) and a server certificate it signed (tls.crt, tls.key: the names of a "
                    + "Kubernetes TLS secret), for trials. Trust ca.crt in the clients.")
    static final class SelfSignedCommand implements Callable<Integer> {
        @Option(names = "--host", paramLabel = "NAME", required = true,
                description = "A DNS name or IP address the registry is reached by (repeatable; the first is the subject).")
        List<String> hosts;

        @Option(names = "--output-dir", paramLabel = "DIR", required = true, description = "Where to write the three files.")
        Path output;

        @Option(names = "--days", paramLabel = "N", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
        int days;

        @Override
        public Integer call() throws Exception {
            if (days <= 0) {
                throw new IllegalArgumentException("--days must be positive");
            }
            SelfSigned.Files3 f = SelfSigned.write(hosts, output, Duration.ofDays(days));
            System.out.println("wrote " + f.ca() + ", " + f.cert() + " and " + f.key() + " (mode 0600)");
            return 0;
        }
    }
}
