package io.slipway.registry.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * How the registry is watched and what it tells others (issue 21):
 *
 * <pre>
 * metrics:
 *   enabled: true            # /metrics in the Prometheus format
 *   listen: 127.0.0.1:9102   # optional: metrics (and the probes) on a port of their own, not the registry's
 * log:
 *   requests: false          # one line per request: method, path, route, status, time, bytes, request id
 *   format: text             # or json: every line of the server's log is one JSON object (registry serve)
 * webhooks:
 *   allowedTargets: [10.0.0.0/8]   # private, loopback and link-local targets allowed (default: none)
 *   maxAttempts: 10          # a delivery failing this many times is dead-lettered
 *   backoff: 1s              # first retry delay, doubled each attempt (capped at 1h)
 *   timeout: 10s             # per delivery attempt
 * </pre>
 */
public record ObserveSettings(boolean metricsEnabled, String metricsListen, String logFormat, boolean logRequests,
        List<String> allowedTargets, int maxAttempts, Duration backoff, Duration timeout) {

    public ObserveSettings {
        allowedTargets = List.copyOf(allowedTargets);
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new IllegalArgumentException("log.format must be text or json, not \"" + logFormat + "\"");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("webhooks.maxAttempts must be 1 or more");
        }
        if (backoff.isNegative() || backoff.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("webhooks.backoff and webhooks.timeout must be positive");
        }
        for (String cidr : allowedTargets) {
            io.slipway.registry.events.Cidr.parse(cidr); // refuses a malformed range at start-up, naming it
        }
    }

    public static ObserveSettings defaults() {
        return new ObserveSettings(true, null, "text", false, List.of(), 10, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    public ObserveSettings withMetrics(boolean enabled, String listen) {
        return new ObserveSettings(enabled, listen, logFormat, logRequests, allowedTargets, maxAttempts, backoff, timeout);
    }

    public ObserveSettings withLogFormat(String format) {
        return new ObserveSettings(metricsEnabled, metricsListen, format, logRequests, allowedTargets, maxAttempts, backoff,
                timeout);
    }

    public ObserveSettings withAllowedTargets(List<String> cidrs) {
        return new ObserveSettings(metricsEnabled, metricsListen, logFormat, logRequests, cidrs, maxAttempts, backoff,
                timeout);
    }

    public ObserveSettings withWebhookRetries(int attempts, Duration firstBackoff) {
        return new ObserveSettings(metricsEnabled, metricsListen, logFormat, logRequests, allowedTargets, attempts,
                firstBackoff, timeout);
    }

    /** Reads the {@code metrics}, {@code log} and {@code webhooks} sections over {@code d}. */
    static ObserveSettings parse(Path file, JsonNode metrics, JsonNode log, JsonNode webhooks, ObserveSettings d)
            throws IOException {
        try {
            boolean enabled = d.metricsEnabled();
            String listen = d.metricsListen();
            if (metrics != null && !metrics.isNull()) {
                keys(file, "metrics.", metrics, Set.of("enabled", "listen"));
                enabled = metrics.path("enabled").asBoolean(enabled);
                listen = metrics.hasNonNull("listen") ? metrics.get("listen").asText() : listen;
            }
            String format = d.logFormat();
            boolean requests = d.logRequests();
            if (log != null && !log.isNull()) {
                keys(file, "log.", log, Set.of("format", "requests"));
                format = log.path("format").asText(format);
                requests = log.path("requests").asBoolean(requests);
            }
            List<String> allowed = d.allowedTargets();
            int attempts = d.maxAttempts();
            Duration backoff = d.backoff();
            Duration timeout = d.timeout();
            if (webhooks != null && !webhooks.isNull()) {
                keys(file, "webhooks.", webhooks, Set.of("allowedTargets", "maxAttempts", "backoff", "timeout"));
                JsonNode a = webhooks.get("allowedTargets");
                if (a != null && !a.isNull()) {
                    if (!a.isArray()) {
                        throw new IOException(file + ": webhooks.allowedTargets must be a list of CIDR ranges");
                    }
                    allowed = new ArrayList<>();
                    for (JsonNode x : a) {
                        allowed.add(x.asText());
                    }
                }
                attempts = webhooks.path("maxAttempts").asInt(attempts);
                backoff = webhooks.hasNonNull("backoff") ? RegistryConfig.duration(webhooks.get("backoff").asText()) : backoff;
                timeout = webhooks.hasNonNull("timeout") ? RegistryConfig.duration(webhooks.get("timeout").asText()) : timeout;
            }
            return new ObserveSettings(enabled, listen, format, requests, allowed, attempts, backoff, timeout);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    private static void keys(Path file, String prefix, JsonNode node, Set<String> known) throws IOException {
        if (!node.isObject()) {
            throw new IOException(file + ": " + prefix.substring(0, prefix.length() - 1) + " must be a mapping");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new IOException(file + ": unknown setting " + prefix + key);
            }
        }
    }
}
