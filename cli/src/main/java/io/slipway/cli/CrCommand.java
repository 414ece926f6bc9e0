package io.slipway.cli;

import io.slipway.pipeline.ManagementClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code slipway cr …}: the hosted-registry verbs, same names. */
@Command(name = "cr", mixinStandardHelpOptions = true, description = "Manage namespaces, images and access.",
        subcommands = {CrCommand.NamespaceAdd.class, CrCommand.NamespaceList.class, CrCommand.NamespaceRm.class,
            CrCommand.ImageList.class, CrCommand.ImageDigests.class, CrCommand.ImageInspect.class,
            CrCommand.ImageTag.class, CrCommand.ImageRm.class, VaCommands.Va.class, VaCommands.ExemptionAdd.class,
            VaCommands.ExemptionList.class, VaCommands.ExemptionRm.class, IamCommand.class,
            LifecycleCommands.ImmutableTagsSet.class, LifecycleCommands.ImmutableTagsList.class,
            LifecycleCommands.ImmutableTagsRm.class, LifecycleCommands.Quota.class, LifecycleCommands.QuotaSet.class,
            LifecycleCommands.TrashList.class, LifecycleCommands.ImageRestore.class,
            LifecycleCommands.RetentionPolicySet.class, LifecycleCommands.RetentionPolicyList.class,
            LifecycleCommands.RetentionRun.class, LifecycleCommands.ImagePruneUntagged.class,
            WebhookCommands.Add.class, WebhookCommands.ListWebhooks.class, WebhookCommands.Remove.class,
            WebhookCommands.Deliveries.class})
final class CrCommand {

    /** Shared by every verb: registry options, output format, the terminal. */
    abstract static class Verb implements Callable<Integer> {
        @Mixin
        RegistryOptions registry;

        @Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        static ObjectNode object() {
            return Credentials.JSON.createObjectNode();
        }

        void json(JsonNode node) throws Exception {
            out().println(Credentials.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        }
    }

    abstract static class Listing extends Verb {
        @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "table", description = "table or json")
        String output;

        boolean asJson() {
            if (!output.equals("table") && !output.equals("json")) {
                throw new IllegalArgumentException("--output must be table or json");
            }
            return output.equals("json");
        }

        /**
         * Prints a listing the registry answered: as its JSON with {@code --output json}, else as a table of
         * these columns, one row per element. The one way every {@code *-list} verb prints.
         */
        Integer printList(JsonNode list, List<String> columns, Function<JsonNode, List<String>> row) throws Exception {
            if (asJson()) {
                json(list);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            list.forEach(e -> rows.add(row.apply(e)));
            out().print(Human.table(columns, rows));
            return 0;
        }
    }

    @Command(name = "namespace-add", mixinStandardHelpOptions = true, description = "Create a namespace.")
    static final class NamespaceAdd extends Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--account", description = "Account that owns it (default: yours).")
        String account;

        @Option(names = "--public", description = "Anyone may pull from it.")
        boolean isPublic;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("name", name).put("public", isPublic);
            if (account != null) {
                body.put("account", account);
            }
            registry.client().post("/namespaces", body);
            out().println("Added namespace " + name + ".");
            return 0;
        }
    }

    @Command(name = "namespace-list", mixinStandardHelpOptions = true, description = "List namespaces.")
    static final class NamespaceList extends Listing {
        @Override
        public Integer call() throws Exception {
            JsonNode list = registry.client().get("/namespaces");
            return printList(list, List.of("NAMESPACE", "ACCOUNT", "VISIBILITY"),
                    n -> List.of(n.path("name").asText(), n.path("account").asText(),
                        n.path("public").asBoolean() ? "public" : "private"));
        }
    }

    @Command(name = "namespace-rm", mixinStandardHelpOptions = true, description = "Remove a namespace.")
    static final class NamespaceRm extends Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--force", description = "Also remove every image in it.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            registry.client().delete("/namespaces/" + ManagementClient.q(name) + (force ? "?force=true" : ""));
            out().println("Removed namespace " + name + ".");
            return 0;
        }
    }

    @Command(name = "image-list", aliases = "images", mixinStandardHelpOptions = true,
            description = "List images: one row per tag; KIND tells an image from a Helm chart, a Tekton bundle, a signature.")
    static class ImageList extends Listing {
        @Option(names = "--restrict", paramLabel = "NS[/REPO]", description = "Only this namespace or repository.")
        String restrict;

        @Option(names = "--va", description = "Show the security status (needs the Vulnerability Advisor).")
        boolean va;

        JsonNode rows() throws Exception {
            return registry.client().get("/images?va=" + va
                    + (restrict == null ? "" : "&restrict=" + ManagementClient.q(restrict)));
        }

        @Override
        public Integer call() throws Exception {
            JsonNode list = rows();
            if (asJson()) {
                json(list);
                return 0;
            }
            Instant now = Instant.now();
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode r : list) {
                String digest = r.path("digest").asText();
                List<String> row = new ArrayList<>(List.of(r.path("repository").asText(),
                        r.path("tag").isNull() ? "<none>" : r.path("tag").asText(),
                        digest.substring(digest.indexOf(':') + 1, Math.min(digest.length(), digest.indexOf(':') + 13)),
                        r.path("namespace").asText(), Human.ago(Instant.parse(r.path("created").asText()), now),
                        Human.size(r.path("size").asLong()), r.path("kind").asText("image")));
                if (va) {
                    row.add(r.path("securityStatus").asText());
                }
                rows.add(row);
            }
            List<String> header = new ArrayList<>(List.of("REPOSITORY", "TAG", "DIGEST", "NAMESPACE", "CREATED", "SIZE", "KIND"));
            if (va) {
                header.add("SECURITY STATUS");
            }
            out().print(Human.table(header, rows));
            return 0;
        }
    }

    @Command(name = "image-digests", mixinStandardHelpOptions = true, description = "List images: one row per digest.")
    static final class ImageDigests extends ImageList {
        @Override
        public Integer call() throws Exception {
            JsonNode list = rows();
            java.util.Map<String, List<String>> tags = new java.util.LinkedHashMap<>();
            for (JsonNode r : list) {
                String key = r.path("repository").asText() + "@" + r.path("digest").asText();
                tags.computeIfAbsent(key, k -> new ArrayList<>());
                if (!r.path("tag").isNull()) {
                    tags.get(key).add(r.path("tag").asText());
                }
            }
            if (asJson()) {
                var arr = Credentials.JSON.createArrayNode();
                tags.forEach((k, v) -> {
                    ObjectNode o = arr.addObject();
                    o.put("repository", k.substring(0, k.indexOf('@')));
                    o.put("digest", k.substring(k.indexOf('@') + 1));
                    v.forEach(o.withArray("tags")::add);
                });
                json(arr);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            tags.forEach((k, v) -> rows.add(List.of(k.substring(0, k.indexOf('@')), k.substring(k.indexOf('@') + 1),
                    v.isEmpty() ? "<none>" : String.join(", ", v))));
            out().print(Human.table(List.of("REPOSITORY", "DIGEST", "TAGS"), rows));
            return 0;
        }
    }

    @Command(name = "image-inspect", mixinStandardHelpOptions = true, description = "Show an image's details (JSON).")
    static final class ImageInspect extends Verb {
        @Parameters(paramLabel = "IMAGE", description = "ns/repo:tag or ns/repo@sha256:…")
        String image;

        @Override
        public Integer call() throws Exception {
            json(registry.client().get("/images/inspect?image=" + ManagementClient.q(image)));
            return 0;
        }
    }

    @Command(name = "image-tag", mixinStandardHelpOptions = true,
            description = "Tag an image under another name, server-side (no data is sent again).")
    static final class ImageTag extends Verb {
        @Parameters(index = "0", paramLabel = "SOURCE")
        String source;

        @Parameters(index = "1", paramLabel = "TARGET", description = "ns/repo:tag, in any namespace you may push to")
        String target;

        @Override
        public Integer call() throws Exception {
            JsonNode r = registry.client().post("/images/tag", object().put("source", source).put("target", target));
            out().println("Tagged " + r.path("source").asText() + " as " + r.path("target").asText() + " ("
                    + r.path("digest").asText() + ").");
            return 0;
        }
    }

    @Command(name = "image-rm", mixinStandardHelpOptions = true,
            description = "Move images to the trash: the digest, with every tag that points at it "
                    + "(cr image-restore brings one back until trash.retention, 30 days by default, has passed).")
    static final class ImageRm extends Verb {
        @Parameters(paramLabel = "IMAGE", arity = "1..*")
        List<String> images;

        @Override
        public Integer call() throws Exception {
            ManagementClient client = registry.client();
            for (String image : images) {
                JsonNode r = client.delete("/images?image=" + ManagementClient.q(image));
                out().println("Moved " + r.path("repository").asText() + "@" + r.path("digest").asText()
                        + " to the trash (restorable until " + r.path("expires").asText() + ").");
            }
            return 0;
        }
    }
}
