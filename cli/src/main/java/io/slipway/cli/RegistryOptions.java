package io.slipway.cli;

import io.slipway.pipeline.ManagementClient;
import java.io.IOException;
import picocli.CommandLine.Option;

/** The options every command that talks to a registry takes (public: the full distribution's commands mix them in too). */
public final class RegistryOptions {
    @Option(names = "--registry", paramLabel = "URL", description = "Registry URL (default: SLIPWAY_REGISTRY or the login).")
    String registry;

    @Option(names = "--api-key", paramLabel = "KEY", description = "API key (default: SLIPWAY_API_KEY or the login).")
    String apiKey;

    /** The same resolution, for the pipeline steps. */
    public io.slipway.pipeline.RegistryAccess access() throws IOException {
        return Credentials.resolve(registry, apiKey, System.getenv()).access();
    }

    /** The management API with these credentials: pipeline-core's client, the one the steps use. */
    ManagementClient client() throws IOException {
        return new ManagementClient(access());
    }
}
