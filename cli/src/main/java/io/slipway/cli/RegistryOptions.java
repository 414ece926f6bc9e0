package io.slipway.cli;

import java.io.IOException;
import picocli.CommandLine.Option;

/** The options every command that talks to a registry takes. */
final class RegistryOptions {
    @Option(names = "--registry", paramLabel = "URL", description = "Registry URL (default: SLIPWAY_REGISTRY or the login).")
    String registry;

    @Option(names = "--api-key", paramLabel = "KEY", description = "API key (default: SLIPWAY_API_KEY or the login).")
    String apiKey;

    /** The same resolution, for the pipeline steps. */
    io.slipway.pipeline.RegistryAccess access() throws IOException {
        Credentials c = Credentials.resolve(registry, apiKey, System.getenv());
        return new io.slipway.pipeline.RegistryAccess(c.registry(), c.user(), c.secret());
    }

    ManagementClient client() throws IOException {
        return new ManagementClient(Credentials.resolve(registry, apiKey, System.getenv()));
    }
}
