package io.slipway.cli;

import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code slipway} command: one subcommand per verb, errors as one line on stderr. This module is
 * the client (what a pipeline runs: it talks to a registry over HTTP only); commands that need the
 * server ({@code registry serve}, {@code demo}) come from the server distribution's
 * {@link Extension}, found on the class path, so the client jar carries no server code.
 */
@Command(name = "slipway", mixinStandardHelpOptions = true, versionProvider = Slipway.Version.class,
        description = "A private multi-tenant OCI registry and the CI/CD steps that feed it.",
        subcommands = {LoginCommand.class, CrCommand.class, VaCommands.class, DeployCommand.class, PromoteCommand.class, ChartCommand.class, PolicyCommand.class, KeyCommand.class,
                GateCommand.class, SignCommand.class, VerifyCommand.class, BuildCommand.class, RegistryCommands.class})
public final class Slipway {

    @Option(names = "--debug", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        java.io.PrintWriter out = new java.io.PrintWriter(System.out, true);
        java.io.PrintWriter err = new java.io.PrintWriter(System.err, true);
        try {
            return run(out, err, args);
        } finally {
            // autoflush acts on println only: a table written with print() would be lost at System.exit
            out.flush();
            err.flush();
        }
    }

    /** Runs the command line with the given terminal (for tests). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Slipway());
        for (Extension extension : ServiceLoader.load(Extension.class, Slipway.class.getClassLoader())) {
            for (Object command : extension.commands()) {
                CommandLine added = new CommandLine(command);
                CommandLine existing = cli.getSubcommands().get(added.getCommandName());
                if (existing == null) {
                    cli.addSubcommand(added);
                } else {
                    // the client's own verbs of that name (registry gc) and the server's (registry serve) side by side
                    added.getSubcommands().forEach((name, sub) -> {
                        if (!existing.getSubcommands().containsKey(name)) {
                            existing.addSubcommand(name, sub);
                        }
                    });
                }
            }
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug");
            if (debug) {
                e.printStackTrace();
            } else {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                commandLine.getErr().println("slipway: " + message);
            }
            return exitCode(e);
        });
        return cli.execute(args);
    }

    /**
     * Commands a fuller distribution adds to this command line (a {@code META-INF/services} entry):
     * the server module's {@code registry} and {@code demo}.
     */
    public interface Extension {
        /** picocli command objects, each added as a subcommand of {@code slipway}. */
        List<Object> commands();
    }

    /** Exit codes scripts can tell apart. */
    public static final int BAD_INPUT = 2;
    public static final int REFUSED = 3;
    public static final int UNREACHABLE = 4;
    public static final int POLICY_DENIED = 5;
    public static final int GATE_FAILED = 6;
    public static final int TIMED_OUT = 7;

    /** The exit code of an error a command threw. */
    public static int exitCode(Exception e) {
        // A values edit or a render check that is refused (no such key, several candidates, a chart
        // that would not run the image) is a refusal; a malformed reference or key path is bad input.
        if (e instanceof io.slipway.helm.values.ValuesException v) {
            return v.badInput() ? BAD_INPUT : REFUSED;
        }
        if (e instanceof io.slipway.helm.render.RenderCheckException) {
            return REFUSED;
        }
        if (e instanceof IllegalArgumentException) {
            return BAD_INPUT;
        }
        if (e instanceof io.slipway.pipeline.gate.GateTimeoutException) {
            return TIMED_OUT;
        }
        if (e instanceof io.slipway.oci.client.RegistryUnreachableException) {
            return UNREACHABLE;
        }
        if (e instanceof io.slipway.oci.client.RegistryException) {
            return REFUSED;
        }
        return 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Slipway.class.getPackage().getImplementationVersion();
            return new String[] {"slipway " + (v == null ? "development build" : v)};
        }
    }
}
