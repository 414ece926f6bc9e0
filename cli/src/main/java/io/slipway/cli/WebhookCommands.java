package io.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.pipeline.ManagementClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway cr webhook-add|webhook-list|webhook-rm|webhook-deliveries}: a namespace's event subscriptions. */
final class WebhookCommands {
    private WebhookCommands() {
    }

    @Command(name = "webhook-add", mixinStandardHelpOptions = true,
            description = "Send a namespace's events (push, delete, scan-completed) to a URL as signed CloudEvents; "
                    + "with --events audit and no namespace, the audit log (administrator).")
    static final class Add extends CrCommand.Verb {
        @Parameters(paramLabel = "NAMESPACE", arity = "0..1")
        String namespace;

        @Option(names = "--url", required = true, description = "http(s) URL the events are POSTed to")
        String url;

        @Option(names = "--events", required = true, split = ",", paramLabel = "EVENT",
                description = "push, delete, scan-completed; or audit")
        List<String> events;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("url", url);
            if (namespace != null) {
                body.put("namespace", namespace);
            }
            events.forEach(body.putArray("events")::add);
            JsonNode r = registry.client().post("/webhooks", body);
            out().println("Added webhook " + r.path("id").asText() + (namespace == null ? " for the audit log"
                    : " for namespace " + namespace) + " (" + String.join(", ", events) + ") to " + url + ".");
            out().println("Signing secret (shown once; the X-Slipway-Signature header is sha256=HMAC-SHA256(secret, body)):");
            out().println(r.path("secret").asText());
            return 0;
        }
    }

    @Command(name = "webhook-list", mixinStandardHelpOptions = true, description = "List webhooks.")
    static final class ListWebhooks extends CrCommand.Listing {
        @Parameters(paramLabel = "NAMESPACE", arity = "0..1")
        String namespace;

        @Override
        public Integer call() throws Exception {
            JsonNode list = registry.client().get("/webhooks"
                    + (namespace == null ? "" : "?namespace=" + ManagementClient.q(namespace)));
            return printList(list, List.of("ID", "NAMESPACE", "EVENTS", "URL", "BY"), w -> {
                List<String> events = new ArrayList<>();
                w.path("events").forEach(e -> events.add(e.asText()));
                return List.of(w.path("id").asText(), w.path("namespace").asText("(audit log)"),
                        String.join(",", events), w.path("url").asText(), w.path("createdBy").asText());
            });
        }
    }

    @Command(name = "webhook-rm", mixinStandardHelpOptions = true, description = "Remove a webhook and its pending deliveries.")
    static final class Remove extends CrCommand.Verb {
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() throws Exception {
            registry.client().delete("/webhooks/" + id);
            out().println("Removed webhook " + id + ".");
            return 0;
        }
    }

    @Command(name = "webhook-deliveries", mixinStandardHelpOptions = true,
            description = "The latest deliveries of a webhook: delivered, pending (with the next attempt) or dead.")
    static final class Deliveries extends CrCommand.Listing {
        @Parameters(paramLabel = "ID")
        long id;

        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Override
        public Integer call() throws Exception {
            JsonNode list = registry.client().get("/webhook-deliveries?webhook=" + id + "&limit=" + limit);
            return printList(list, List.of("ID", "EVENT", "STATE", "ATTEMPTS", "STATUS", "DELIVERED/NEXT", "ERROR"),
                    d -> List.of(d.path("id").asText(), d.path("event").asText(), d.path("state").asText(),
                        d.path("attempts").asText(), d.path("lastStatus").asText(""),
                        d.path("delivered").asText(d.path("nextAttempt").asText("")), d.path("lastError").asText("")));
        }
    }
}
