package io.slipway.server;

import io.slipway.cli.Slipway;
import java.util.List;

/**
 * What the full distribution adds to the client's command line: {@code registry serve} and
 * {@code demo}, the two commands that run the registry server in this JVM.
 */
public final class ServerCommands implements Slipway.Extension {
    @Override
    public List<Object> commands() {
        return List.of(new RegistryCommand(), new DemoCommand());
    }
}
