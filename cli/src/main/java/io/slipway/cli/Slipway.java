package io.slipway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code slipway} command: one subcommand per verb, errors as one line on stderr. */
@Command(name = "slipway", mixinStandardHelpOptions = true, versionProvider = Slipway.Version.class,
        description = "A private multi-tenant OCI registry and the CI/CD steps that feed it.",
        subcommands = {RegistryCommand.class})
public final class Slipway {

    @Option(names = "--debug", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Slipway());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug");
            if (debug) {
                e.printStackTrace();
            } else {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                commandLine.getErr().println("slipway: " + message);
            }
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Slipway.class.getPackage().getImplementationVersion();
            return new String[] {"slipway " + (v == null ? "development build" : v)};
        }
    }
}
