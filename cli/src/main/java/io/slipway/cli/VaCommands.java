package io.slipway.cli;

import io.slipway.pipeline.ManagementClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.va.advisory.AdvisoryDatabase;
import io.slipway.va.advisory.DatabaseStatus;
import io.slipway.va.advisory.ImportResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The Vulnerability Advisor on the command line: {@code slipway va db import|status} on the
 * running registry's advisory database (through the management API, as the administrator), or
 * with {@code --data DIR} on a data directory offline; and under {@code slipway cr} the report of an image and the
 * exemptions.
 */
@Command(name = "va", mixinStandardHelpOptions = true, description = "The Vulnerability Advisor's advisory database.",
        subcommands = {VaCommands.Db.class})
final class VaCommands {

    @Command(name = "db", mixinStandardHelpOptions = true, description = "Import advisories; show what is loaded.",
            subcommands = {DbImport.class, DbStatus.class})
    static final class Db {
    }

    abstract static class DbVerb implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR",
                description = "Work on this data directory offline instead of on the running registry.")
        Path data;

        @picocli.CommandLine.Mixin
        RegistryOptions registry = new RegistryOptions();

        @Spec
        CommandLine.Model.CommandSpec spec;

        AdvisoryDatabase open() throws Exception {
            Files.createDirectories(data);
            return AdvisoryDatabase.open(data.resolve("advisories.db"));
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import OSV JSON (a file or a zip of them), Debian Security Tracker JSON or Alpine secdb files "
                    + "into the running registry (administrator; returns once the registry uses them), or with --data "
                    + "into a data directory offline (a running registry picks that up within seconds).")
    static final class DbImport extends DbVerb {
        @Parameters(paramLabel = "FILE", arity = "1..*")
        List<Path> files;

        @Override
        public Integer call() throws Exception {
            for (Path f : files) {
                if (!Files.isRegularFile(f)) {
                    throw new IllegalArgumentException("no such file: " + f);
                }
            }
            if (data == null) {
                // The registry answers once the imported database is the one its judges use.
                ManagementClient client = registry.client();
                String version = null;
                for (Path f : files) {
                    JsonNode r = client.upload("/va/db/import?name=" + ManagementClient.q(f.getFileName().toString()), f);
                    spec.commandLine().getOut().printf("%s: %s, %d added, %d updated, %d unchanged, %d skipped%n",
                            f, r.path("format").asText(), r.path("added").asInt(), r.path("updated").asInt(),
                            r.path("unchanged").asInt(), r.path("skipped").asInt());
                    version = r.path("databaseVersion").asText();
                }
                spec.commandLine().getOut().println("The registry now uses advisory database " + version
                        + "; images are being re-scanned.");
                return 0;
            }
            try (AdvisoryDatabase db = open()) {
                for (Path f : files) {
                    ImportResult r = db.importFile(f);
                    spec.commandLine().getOut().printf("%s: %s, %d added, %d updated, %d unchanged, %d skipped%n",
                            f, r.format(), r.added(), r.updated(), r.unchanged(), r.skipped());
                }
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Sources, record counts, last imports.")
    static final class DbStatus extends DbVerb {
        @Override
        public Integer call() throws Exception {
            List<List<String>> rows = new ArrayList<>();
            long records = 0;
            String version = null;
            if (data == null) {
                JsonNode r = registry.client().get("/va/db");
                for (JsonNode src : r.path("sources")) {
                    rows.add(List.of(src.path("source").asText(), src.path("records").asText(), src.path("lastImport").asText()));
                    records += src.path("records").asLong();
                }
                version = r.path("databaseVersion").asText();
            } else {
                try (AdvisoryDatabase db = open()) {
                    DatabaseStatus s = db.status();
                    s.sources().forEach(src -> rows.add(List.of(src.source(), String.valueOf(src.records()),
                            String.valueOf(src.lastImport()))));
                    records = s.records();
                }
            }
            spec.commandLine().getOut().print(Human.table(List.of("SOURCE", "RECORDS", "LAST IMPORT"), rows));
            spec.commandLine().getOut().println(records + " records in all"
                    + (version == null ? "" : "; the registry's database version is " + version));
            return 0;
        }
    }

    @Command(name = "va", mixinStandardHelpOptions = true, description = "Show an image's Vulnerability Advisor report.")
    static final class Va extends CrCommand.Listing {
        @Parameters(paramLabel = "IMAGE")
        String image;

        @Option(names = "--vulnerabilities", description = "Only vulnerabilities.")
        boolean vulnerabilitiesOnly;

        @Option(names = "--configuration", description = "Only configuration issues.")
        boolean configurationOnly;

        @Override
        public Integer call() throws Exception {
            JsonNode r = registry.client().get("/va?image=" + ManagementClient.q(image));
            if (asJson()) {
                json(r);
                return 0;
            }
            var out = out();
            out.println("Image:  " + r.path("image").asText());
            out.println("Status: " + r.path("status").asText() + (r.hasNonNull("os") ? "   (" + r.path("os").asText() + ")" : ""));
            if (!configurationOnly) {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode v : r.path("vulnerabilities")) {
                    rows.add(List.of(v.path("id").asText(), v.path("severity").asText(), v.path("package").asText(),
                            v.path("installed").asText(), v.path("fixed").asText("-"),
                            v.path("exempt").asBoolean() ? "exempt" : ""));
                }
                out.println();
                out.print(rows.isEmpty() ? "No vulnerabilities.\n" : Human.table(
                        List.of("VULNERABILITY", "SEVERITY", "PACKAGE", "INSTALLED", "FIXED IN", "EXEMPTION"), rows));
                for (JsonNode a : r.path("advice")) {
                    out.println("Advice: " + a.asText());
                }
            }
            if (!vulnerabilitiesOnly) {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode c : r.path("configuration")) {
                    rows.add(List.of(c.path("id").asText(), c.path("severity").asText(), c.path("summary").asText(),
                            c.path("exempt").asBoolean() ? "exempt" : ""));
                }
                out.println();
                out.print(rows.isEmpty() ? "No configuration issues.\n"
                        : Human.table(List.of("CONFIGURATION ISSUE", "SEVERITY", "WHAT", "EXEMPTION"), rows));
            }
            return 0;
        }
    }

    @Command(name = "exemption-add", mixinStandardHelpOptions = true,
            description = "Exempt an issue: scope *, ns, ns/repo, ns/repo:tag or ns/repo@digest.")
    static final class ExemptionAdd extends CrCommand.Verb {
        @Option(names = "--scope", required = true)
        String scope;

        @Option(names = "--issue-type", required = true, description = "cve or configuration")
        String issueType;

        @Option(names = "--issue-id", required = true, description = "e.g. CVE-2021-44228 or application_configuration:mysql.ssl-ca")
        String issueId;

        @Option(names = "--reason")
        String reason;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("scope", scope).put("issueType", issueType).put("issueId", issueId);
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode r = registry.client().post("/exemptions", body);
            out().println("Added exemption " + r.path("id").asText() + " for " + issueId + " in " + scope + ".");
            return 0;
        }
    }

    @Command(name = "exemption-list", mixinStandardHelpOptions = true, description = "List exemptions.")
    static final class ExemptionList extends CrCommand.Listing {
        @Option(names = "--scope")
        String scope;

        @Override
        public Integer call() throws Exception {
            JsonNode list = registry.client().get("/exemptions" + (scope == null ? "" : "?scope=" + ManagementClient.q(scope)));
            return printList(list, List.of("ID", "SCOPE", "TYPE", "ISSUE", "REASON", "BY"),
                    e -> List.of(e.path("id").asText(), e.path("scope").asText(),
                        e.path("issueType").asText(), e.path("issueId").asText(), e.path("reason").asText(""),
                        e.path("createdBy").asText()));
        }
    }

    @Command(name = "exemption-rm", mixinStandardHelpOptions = true, description = "Remove an exemption.")
    static final class ExemptionRm extends CrCommand.Verb {
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() throws Exception {
            registry.client().delete("/exemptions/" + id);
            out().println("Removed exemption " + id + ".");
            return 0;
        }
    }
}
