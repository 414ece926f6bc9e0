package io.slipway.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** One run of the {@code slipway} command line in-process, with what it printed. */
public record CliRun(int code, String out, String err) {

    public static CliRun slipway(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Slipway.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs a command against {@code registry} with an API key. */
    public static CliRun as(String registry, String apiKey, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--registry", registry, "--api-key", apiKey));
        return slipway(all.toArray(String[]::new));
    }
}
