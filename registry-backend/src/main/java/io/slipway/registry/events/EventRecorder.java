package io.slipway.registry.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.tenancy.TenancyModel.AuditEntry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Turns what the registry records into events and writes them to the outbox in the same
 * transaction: every audit entry (a push, a delete, any management action) is an {@code audit}
 * event for the administrator's subscriptions; a push or delete is also a {@code push} or
 * {@code delete} event of its namespace; a finished scan is a {@code scan-completed} event of each
 * namespace holding the image. Events are CloudEvents 1.0 in the structured JSON form.
 */
public final class EventRecorder {
    public static final String PUSH = "push";
    public static final String DELETE = "delete";
    public static final String SCAN_COMPLETED = "scan-completed";
    public static final String AUDIT = "audit";
    /** The event names a subscription may ask for; {@code audit} is the administrator's alone and registry-wide. */
    public static final Set<String> NAMES = Set.of(PUSH, DELETE, SCAN_COMPLETED, AUDIT);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookStore store;
    private final Supplier<String> source;
    private final Runnable written;

    /**
     * @param source  the CloudEvents {@code source}: this registry's URL
     * @param written told after events were written (to wake the local deliverer)
     */
    public EventRecorder(WebhookStore store, Supplier<String> source, Runnable written) {
        this.store = store;
        this.source = source;
        this.written = written;
    }

    /** For {@code TenancyStore.onAudit}: runs inside the audit entry's transaction. */
    public void audited(Connection c, AuditEntry e) throws SQLException {
        int rows = 0;
        ObjectNode audit = JSON.createObjectNode();
        audit.put("id", e.id());
        audit.put("at", e.at().toString());
        audit.put("actor", e.actor());
        audit.put("action", e.action());
        audit.put("target", e.target());
        audit.put("remote", e.remote());
        audit.put("outcome", e.outcome());
        audit.put("requestId", e.requestId());
        rows += store.enqueue(c, event(AUDIT, "io.slipway.audit", null, e.action(), e.at(), audit));
        String deleted = managementDelete(e);
        if ("ok".equals(e.outcome()) && e.target() != null
                && (e.action().equals("image.push") || e.action().equals("image.delete") || deleted != null)) {
            boolean push = e.action().equals("image.push");
            Target t = Target.parse(deleted != null ? deleted : e.target());
            ObjectNode data = JSON.createObjectNode();
            data.put("repository", t.repository());
            if (t.tag() != null) {
                data.put("tag", t.tag());
            }
            if (t.digest() != null) {
                data.put("digest", t.digest());
            }
            data.put("actor", e.actor());
            data.put("requestId", e.requestId());
            rows += store.enqueue(c, event(push ? PUSH : DELETE, push ? "io.slipway.image.pushed" : "io.slipway.image.deleted",
                    t.namespace(), deleted != null ? deleted : e.target(), e.at(), data));
        }
        if (rows > 0) {
            written.run();
        }
    }

    /** For {@code ScanJobs.onComplete}: runs inside the transaction that records the scan. */
    public void scanned(Connection c, Digest digest, long startedAt, long finishedAt, String outcome) throws SQLException {
        List<String> repositories = SqlDatabase.list(c, "SELECT DISTINCT r.name FROM manifests m JOIN repositories r "
                + "ON r.id = m.repository_id WHERE m.digest = ? ORDER BY r.name", rs -> rs.getString(1), digest.toString());
        int rows = 0;
        for (String repository : repositories) {
            ObjectNode data = JSON.createObjectNode();
            data.put("repository", repository);
            data.put("digest", digest.toString());
            data.put("outcome", outcome);
            data.put("startedAt", Instant.ofEpochMilli(startedAt).toString());
            data.put("finishedAt", Instant.ofEpochMilli(finishedAt).toString());
            rows += store.enqueue(c, event(SCAN_COMPLETED, "io.slipway.scan.completed", namespaceOf(repository),
                    repository + "@" + digest, Instant.ofEpochMilli(finishedAt), data));
        }
        if (rows > 0) {
            written.run();
        }
    }

    private WebhookStore.Event event(String name, String type, String namespace, String subject, Instant time,
            ObjectNode data) {
        String id = UUID.randomUUID().toString();
        ObjectNode ce = JSON.createObjectNode();
        ce.put("specversion", "1.0");
        ce.put("id", id);
        ce.put("source", source.get());
        ce.put("type", type);
        if (subject != null) {
            ce.put("subject", subject);
        }
        ce.put("time", time.toString());
        ce.put("datacontenttype", "application/json");
        ce.set("data", data);
        return new WebhookStore.Event(id, name, namespace, ce.toString());
    }

    /**
     * The image an {@code image-rm} through the management API removed ({@code DELETE /api/v1/images?image=…},
     * audited with its query, {@code [image=[ns/repo:tag]]}), without a host of the registry's; else null.
     */
    static String managementDelete(AuditEntry e) {
        if (!"api.delete images".equals(e.action()) || !"ok".equals(e.outcome()) || e.target() == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\[image=\\[([^\\]]+)\\]\\]$").matcher(e.target());
        if (!m.matches()) {
            return null;
        }
        String image = m.group(1);
        int slash = image.indexOf('/');
        String first = slash < 0 ? "" : image.substring(0, slash);
        // A first component with a dot or a port, or localhost, is a registry host (as image references read).
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
            image = image.substring(slash + 1);
        }
        return image;
    }

    static String namespaceOf(String repository) {
        int slash = repository.indexOf('/');
        return slash < 0 ? repository : repository.substring(0, slash);
    }

    /** An audit target as the registry writes it: {@code ns/repo:tag@sha256:…}, {@code ns/repo@sha256:…} or {@code ns/repo:tag}. */
    record Target(String repository, String tag, String digest) {
        static Target parse(String target) {
            String rest = target;
            String digest = null;
            int at = rest.indexOf('@');
            if (at >= 0) {
                digest = rest.substring(at + 1);
                rest = rest.substring(0, at);
            }
            String tag = null;
            int colon = rest.lastIndexOf(':');
            if (colon > rest.lastIndexOf('/')) {
                tag = rest.substring(colon + 1);
                rest = rest.substring(0, colon);
            }
            return new Target(rest, tag, digest);
        }

        String namespace() {
            return namespaceOf(repository);
        }
    }
}
