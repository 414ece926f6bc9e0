package io.slipway.server;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway registry …}: running the registry server. */
@Command(name = "registry", description = "Run the Slipway registry.", mixinStandardHelpOptions = true,
        subcommands = {RegistryCommand.Serve.class})
final class RegistryCommand {

    /** Stops {@code server} cleanly when the JVM exits (Ctrl-C, SIGTERM, System.exit). */
    static void closeOnExit(RegistryServer server) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(RegistryCommand.class).error("error while stopping the registry", e);
            }
        }, "registry-shutdown"));
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve the OCI Distribution API (blobs on the local disk, metadata in SQLite by default).")
    static final class Serve implements Callable<Integer> {

        @Option(names = "--listen", paramLabel = "HOST:PORT",
                description = "Address to listen on (default: ${DEFAULT-VALUE} or the configuration's).")
        String listen;

        @Option(names = "--data", paramLabel = "DIR", description = "Where blobs and metadata live (default: ./.slipway).")
        Path data;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
        Path config;

        @Option(names = "--log-format", paramLabel = "FORMAT",
                description = "The log: text lines, or json (one JSON object per line, with the request id); "
                        + "default: the configuration's log.format, else text.")
        String logFormat;

        @Option(names = "--auth", paramLabel = "MODE",
                description = "Authentication: token (the Docker token flow, default) or none (an open registry).")
        String auth;

        @Override
        public Integer call() throws Exception {
            RegistryConfig c = config != null ? RegistryConfig.load(config) : RegistryConfig.defaults();
            c = c.withEnvironment(System.getenv());
            if (listen != null) {
                c = c.withListen(listen);
            }
            if (data != null) {
                c = c.withDataDir(data);
            }
            if (auth != null) {
                c = c.withAuth(auth);
            }
            if (logFormat != null) {
                c = c.withObserve(c.observe().withLogFormat(logFormat)); // refuses anything but text or json
            }
            Logs.use(c.observe().logFormat());
            // With a JSON log, what the command tells goes through the log too: every line one object.
            Say say = c.observe().logFormat().equals("json") ? Say.LOG : Say.CONSOLE;
            RegistryServer server = RegistryServer.start(c);
            closeOnExit(server);
            say.info("Slipway registry at " + server.uri() + "/v2/ (data in " + c.dataDir().toAbsolutePath() + ")");
            if (c.authSettings().open()) {
                say.warn("WARNING: --auth none: this registry is OPEN. Anyone who can reach "
                        + server.uri() + " may pull, push and delete anything. Use it for local experiments only.");
            } else if (server.bootstrap() != null) {
                var b = server.bootstrap();
                say.info("First start: created account \"" + b.admin().account() + "\" and its administrator \"admin\".");
                if (server.adminKeyFile() != null) {
                    // The path, never the key: a console's output ends up in logs.
                    say.info("Administrator API key written to " + server.adminKeyFile()
                            + " (readable by you only); store it, then delete the file.");
                    say.info("Log in with: slipway login --registry " + server.uri()
                            + " --api-key \"$(cat " + server.adminKeyFile() + ")\"");
                } else {
                    say.info("Its API key is the one in SLIPWAY_ADMIN_API_KEY.");
                }
            }
            System.out.flush();
            server.join();
            return 0;
        }
    }

    /** Where the serve command's own messages go: the console (text log) or the log itself (JSON log). */
    enum Say {
        CONSOLE, LOG;

        private static final org.slf4j.Logger LOGGER = org.slf4j.LoggerFactory.getLogger(RegistryCommand.class);

        void info(String message) {
            if (this == LOG) {
                LOGGER.info(message);
            } else {
                System.out.println(message);
            }
        }

        void warn(String message) {
            if (this == LOG) {
                LOGGER.warn(message);
            } else {
                System.err.println(message);
            }
        }
    }
}
