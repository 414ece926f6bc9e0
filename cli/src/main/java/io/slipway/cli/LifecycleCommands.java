package io.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.pipeline.ManagementClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway cr} verbs of the storage lifecycle (issue 20): immutable-tag rules and quotas. The
 * registry judges and parses (sizes like {@code 500MB} included); these only send and print.
 */
final class LifecycleCommands {
    private LifecycleCommands() {
    }

    @Command(name = "immutable-tags-set", mixinStandardHelpOptions = true,
            description = "Make tags matching GLOB (* any run, ? one character) immutable in a namespace or repository: "
                    + "once set they are never moved to another image nor deleted.")
    static final class ImmutableTagsSet extends CrCommand.Listing {
        @Parameters(index = "0", paramLabel = "NAMESPACE[/REPO]")
        String scope;

        @Parameters(index = "1", paramLabel = "GLOB")
        String glob;

        @Override
        public Integer call() throws Exception {
            JsonNode r = registry.client().post("/immutable-tags", object().put("scope", scope).put("glob", glob));
            if (asJson()) {
                json(r);
            } else {
                out().println("Tags matching \"" + glob + "\" in " + scope + " are immutable.");
            }
            return 0;
        }
    }

    @Command(name = "immutable-tags-list", mixinStandardHelpOptions = true, description = "List immutable-tag rules.")
    static final class ImmutableTagsList extends CrCommand.Listing {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAMESPACE", description = "Only this namespace's rules.")
        String namespace;

        @Option(names = "--account", description = "Another account's rules (administrator).")
        String account;

        @Override
        public Integer call() throws Exception {
            String query = scopeQuery(namespace, account);
            JsonNode list = registry.client().get("/immutable-tags" + query);
            return printList(list, List.of("SCOPE", "GLOB", "CREATED BY", "CREATED"),
                    r -> List.of(r.path("scope").asText(), r.path("glob").asText(),
                        r.path("createdBy").asText(), r.path("created").asText()));
        }
    }

    @Command(name = "immutable-tags-rm", mixinStandardHelpOptions = true, description = "Remove an immutable-tag rule.")
    static final class ImmutableTagsRm extends CrCommand.Listing {
        @Parameters(index = "0", paramLabel = "NAMESPACE[/REPO]")
        String scope;

        @Parameters(index = "1", paramLabel = "GLOB")
        String glob;

        @Override
        public Integer call() throws Exception {
            JsonNode r = registry.client().delete("/immutable-tags?scope=" + ManagementClient.q(scope) + "&glob="
                    + ManagementClient.q(glob));
            if (asJson()) {
                json(r);
            } else {
                out().println("Removed the rule \"" + glob + "\" on " + scope + ".");
            }
            return 0;
        }
    }

    @Command(name = "quota", mixinStandardHelpOptions = true,
            description = "Show the account's quotas and use: stored bytes, and pull traffic this calendar month (UTC).")
    static final class Quota extends CrCommand.Listing {
        @Option(names = "--account", description = "Another account (administrator).")
        String account;

        @Override
        public Integer call() throws Exception {
            JsonNode q = registry.client().get("/quota" + (account == null ? "" : "?account=" + ManagementClient.q(account)));
            print(this, q);
            return 0;
        }
    }

    static void print(CrCommand.Listing verb, JsonNode q) throws Exception {
        if (verb.asJson()) {
            verb.json(q);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("storage", q.path("storage").path("limitText").asText(), q.path("storage").path("usedText").asText()));
        rows.add(List.of("traffic (" + q.path("month").asText() + ")", q.path("traffic").path("limitText").asText(),
                q.path("traffic").path("usedText").asText()));
        verb.out().println("Account " + q.path("account").asText());
        verb.out().print(Human.table(List.of("QUOTA", "LIMIT", "USED"), rows));
    }

    @Command(name = "quota-set", mixinStandardHelpOptions = true,
            description = "Set an account's quotas (administrator). SIZE like 500MB, 2GiB, or unlimited.")
    static final class QuotaSet extends CrCommand.Listing {
        @Option(names = "--account", description = "The account (default: yours).")
        String account;

        @Option(names = "--storage", paramLabel = "SIZE", description = "Bytes the account may store.")
        String storage;

        @Option(names = "--traffic", paramLabel = "SIZE", description = "Bytes that may be pulled from it per calendar month.")
        String traffic;

        @Override
        public Integer call() throws Exception {
            if (storage == null && traffic == null) {
                throw new IllegalArgumentException("name --storage, --traffic or both");
            }
            ObjectNode body = object();
            if (account != null) {
                body.put("account", account);
            }
            if (storage != null) {
                body.put("storage", storage);
            }
            if (traffic != null) {
                body.put("traffic", traffic);
            }
            print(this, registry.client().post("/quota", body));
            return 0;
        }
    }

    @Command(name = "trash-list", mixinStandardHelpOptions = true,
            description = "List the images in the trash (removed with image-rm or by retention) and when each expires.")
    static final class TrashList extends CrCommand.Listing {
        @Mixin
        ListScope scope;

        @Override
        public Integer call() throws Exception {
            JsonNode list = registry.client().get("/trash" + scope.query());
            return printList(list, List.of("REPOSITORY", "TAGS", "DIGEST", "DELETED", "EXPIRES"), e -> {
                List<String> tags = new ArrayList<>();
                e.path("tags").forEach(t -> tags.add(t.asText()));
                return List.of(e.path("repository").asText(), String.join(", ", tags), e.path("digest").asText(),
                        e.path("deleted").asText(), e.path("expires").asText());
            });
        }
    }

    @Command(name = "image-restore", mixinStandardHelpOptions = true,
            description = "Bring an image back from the trash with its tags (a tag another image took meanwhile stays there).")
    static final class ImageRestore extends CrCommand.Listing {
        @Parameters(paramLabel = "REPO@DIGEST|REPO:TAG")
        String image;

        @Override
        public Integer call() throws Exception {
            JsonNode r = registry.client().post("/images/restore", object().put("image", image));
            if (asJson()) {
                json(r);
                return 0;
            }
            List<String> tags = new ArrayList<>();
            r.path("tags").forEach(t -> tags.add(t.asText()));
            out().println("Restored " + r.path("repository").asText() + "@" + r.path("digest").asText()
                    + (tags.isEmpty() ? "" : " with tags " + String.join(", ", tags)) + ".");
            r.path("tagsTakenMeanwhile").forEach(t -> out().println("Tag " + t.asText()
                    + " now names another image and was left there."));
            return 0;
        }
    }

    @Command(name = "retention-policy-set", mixinStandardHelpOptions = true,
            description = "Keep the newest N images (by push time) of every repository of NAMESPACE; retention-run and "
                    + "the daily run move the rest, with their tags, to the trash.")
    static final class RetentionPolicySet extends CrCommand.Listing {
        @Option(names = "--images", required = true, paramLabel = "N", description = "Images to keep per repository.")
        long images;

        @Option(names = "--retain-untagged", description = "Keep every untagged image, and count only tagged ones.")
        boolean retainUntagged;

        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;

        @Override
        public Integer call() throws Exception {
            JsonNode r = registry.client().post("/retention-policies", object().put("namespace", namespace)
                    .put("images", images).put("retainUntagged", retainUntagged));
            if (asJson()) {
                json(r);
            } else {
                out().println("Namespace " + namespace + " keeps the newest " + images + " images per repository"
                        + (retainUntagged ? " and every untagged one." : "."));
            }
            return 0;
        }
    }

    @Command(name = "retention-policy-list", mixinStandardHelpOptions = true, description = "List retention policies.")
    static final class RetentionPolicyList extends CrCommand.Listing {
        @Mixin
        ListScope scope;

        @Override
        public Integer call() throws Exception {
            JsonNode list = registry.client().get("/retention-policies" + scope.query());
            return printList(list, List.of("NAMESPACE", "IMAGES", "RETAIN UNTAGGED", "UPDATED BY", "UPDATED"),
                    r -> List.of(r.path("namespace").asText(), r.path("images").asText(),
                        r.path("retainUntagged").asBoolean() ? "yes" : "no", r.path("updatedBy").asText(),
                        r.path("updated").asText()));
        }
    }

    @Command(name = "retention-run", mixinStandardHelpOptions = true,
            description = "Apply NAMESPACE's retention policy now: images past the newest N go to the trash.")
    static final class RetentionRun extends TrashMove {
        RetentionRun() {
            super("/retention/run");
        }
    }

    @Command(name = "image-prune-untagged", mixinStandardHelpOptions = true,
            description = "Move the untagged images of NAMESPACE to the trash.")
    static final class ImagePruneUntagged extends TrashMove {
        ImagePruneUntagged() {
            super("/images/prune-untagged");
        }
    }

    /** A verb that moves images of NAMESPACE to the trash, or with --dry-run says which it would, and reports. */
    abstract static class TrashMove extends CrCommand.Listing {
        private final String path;

        @Option(names = "--dry-run", description = "Only say what would go to the trash.")
        boolean dryRun;

        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;

        TrashMove(String path) {
            this.path = path;
        }

        @Override
        public Integer call() throws Exception {
            report(this, registry.client().post(path, object().put("namespace", namespace).put("dryRun", dryRun)));
            return 0;
        }
    }

    /** What a retention run or prune moved (or would move) to the trash, and what an immutable tag kept. */
    static void report(CrCommand.Listing verb, JsonNode r) throws Exception {
        if (verb.asJson()) {
            verb.json(r);
            return;
        }
        boolean dry = r.path("dryRun").asBoolean();
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : r.path("trashed")) {
            rows.add(List.of(dry ? "would trash" : "trashed", e.path("repository").asText(), tags(e),
                    e.path("digest").asText()));
        }
        for (JsonNode e : r.path("refused")) {
            rows.add(List.of("kept (immutable)", e.path("repository").asText(), tags(e), e.path("digest").asText()));
        }
        if (!rows.isEmpty()) {
            verb.out().print(Human.table(List.of("ACTION", "REPOSITORY", "TAGS", "DIGEST"), rows));
        }
        verb.out().println((dry ? "Would move " : "Moved ") + r.path("trashed").size() + " images of "
                + r.path("namespace").asText() + " to the trash; kept " + r.path("kept").asInt() + ".");
        r.path("refused").forEach(e -> verb.out().println(e.path("reason").asText()));
    }

    private static String tags(JsonNode e) {
        List<String> tags = new ArrayList<>();
        e.path("tags").forEach(t -> tags.add(t.asText()));
        return tags.isEmpty() ? "<none>" : String.join(", ", tags);
    }

    /** The options of a listing that one namespace ({@code --restrict}) or another account ({@code --account}) limits. */
    static final class ListScope {
        @Option(names = "--restrict", paramLabel = "NAMESPACE", description = "Only this namespace's.")
        String namespace;

        @Option(names = "--account", description = "Another account's (administrator).")
        String account;

        String query() {
            return scopeQuery(namespace, account);
        }
    }

    /** The query of a listing limited to one namespace ({@code --restrict}) or another account ({@code --account}). */
    static String scopeQuery(String namespace, String account) {
        return namespace != null ? "?namespace=" + ManagementClient.q(namespace)
                : account != null ? "?account=" + ManagementClient.q(account) : "";
    }
}
