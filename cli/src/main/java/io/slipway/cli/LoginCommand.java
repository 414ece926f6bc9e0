package io.slipway.cli;

import io.slipway.pipeline.ManagementClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway login}: checks credentials against the registry and saves them (mode 0600). */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Log in to a Slipway registry with an API key or a user name and password.")
final class LoginCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--registry", required = true, paramLabel = "URL", description = "Registry URL, e.g. http://127.0.0.1:5000.")
    String registry;

    @Option(names = "--api-key", paramLabel = "KEY", description = "An API key (or set SLIPWAY_API_KEY).")
    String apiKey;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "A user name (with --password).")
    String user;

    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD", description = "The user's password.")
    String password;

    @Option(names = "--docker-config", description = "Also write the credentials to the Docker config.json.")
    boolean dockerConfig;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("SLIPWAY_API_KEY");
        Credentials credentials;
        if (user != null) {
            if (password == null) {
                throw new IllegalArgumentException("--username needs --password");
            }
            credentials = new Credentials(Credentials.normalize(registry), user, password);
        } else if (key != null) {
            credentials = new Credentials(Credentials.normalize(registry), Credentials.API_KEY_USER, key);
        } else {
            throw new IllegalArgumentException("pass --api-key KEY or --username USER --password PASSWORD");
        }
        JsonNode me = new ManagementClient(credentials.access()).get("/whoami");
        credentials.save(System.getenv());
        if (dockerConfig) {
            credentials.saveDockerConfig(System.getenv());
        }
        spec.commandLine().getOut().println("Logged in to " + credentials.registry() + " as " + me.path("kind").asText()
                + " " + me.path("name").asText() + " of account " + me.path("account").asText() + ".");
        return 0;
    }
}
