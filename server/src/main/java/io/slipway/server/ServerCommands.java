package io.slipway.server;

import io.slipway.cli.Slipway;
import java.util.List;

/**
 * What the full distribution adds to the client's command line: {@code registry serve} and
 * {@code demo}, the two commands that run the registry server in this JVM, {@code tls} and
 * {@code release} (the images, chart, Tekton files and plugin a platform team installs).
 */
public final class ServerCommands implements Slipway.Extension {
    @Override
    public List<Object> commands() {
        return List.of(new RegistryCommand(), new DemoCommand(), new TlsCommand(), new io.slipway.server.release.ReleaseCommand());
    }
}
