package io.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slipway registry …} verbs an administrator runs against a registry over its management
 * API, so the client jar has them. The server distribution adds {@code registry serve} to the same
 * command ({@link Slipway#run} merges an extension's subcommands into a command of the same name).
 */
@Command(name = "registry", mixinStandardHelpOptions = true, description = "Administer a Slipway registry (the server distribution also runs one: registry serve).",
        subcommands = {RegistryCommands.Gc.class})
final class RegistryCommands {

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Collect garbage now (administrator): remove the blobs and manifests that no tag, manifest or "
                    + "trash entry reaches and that nothing touched within the grace period, while pushes go on.")
    static final class Gc extends CrCommand.Listing {
        @Option(names = "--dry-run", description = "Only report what would be freed.")
        boolean dryRun;

        @Option(names = "--walk", description = "Also walk the blob store for bytes the registry's ledger does not know "
                + "(the first sweep on a database does so by itself).")
        boolean walk;

        /** A sweep over a large store takes a while; the registry answers when it is done. */
        private static final Duration SWEEP_TIMEOUT = Duration.ofMinutes(30);

        @Override
        public Integer call() throws Exception {
            asJson(); // a bad --output is refused before the sweep, not after it
            ObjectNode body = object().put("dryRun", dryRun);
            if (walk) {
                body.put("walk", true);
            }
            JsonNode r = registry.client().post("/gc", body, SWEEP_TIMEOUT);
            if (asJson()) {
                json(r);
                return 0;
            }
            out().println(summary(r));
            return 0;
        }

        /** {@code Freed 3 blobs and 1 manifest (12 kB, 12345 bytes).} or {@code Would free …}, and the walk when there was one. */
        static String summary(JsonNode r) {
            int blobs = r.path("blobs").asInt();
            int manifests = r.path("manifests").asInt();
            StringBuilder s = new StringBuilder(r.path("dryRun").asBoolean() ? "Would free " : "Freed ");
            s.append(count(blobs, "blob")).append(" and ").append(count(manifests, "manifest"))
                    .append(" (").append(Human.size(r.path("bytesFreed").asLong())).append(", ")
                    .append(r.path("bytesFreed").asLong()).append(" bytes).");
            JsonNode walk = r.path("walk");
            if (!walk.isMissingNode()) {
                s.append(System.lineSeparator()).append("Walked the blob store: ")
                        .append(count(walk.path("stored").asInt(), "blob")).append(", ")
                        .append(walk.path("unknown").asInt()).append(" unknown to the registry's ledger.");
            }
            return s.toString();
        }

        private static String count(int n, String noun) {
            return n + " " + noun + (n == 1 ? "" : "s");
        }
    }
}
