package io.slipway.registry.console;

import java.util.List;

/**
 * What each console page shows, already decided and formatted: the templates under
 * {@code src/main/jte/console} only lay these out (and escape them), so no rule lives in HTML.
 */
public final class Pages {
    private Pages() {
    }

    /** The frame around every signed-in page: who, the CSRF token for its forms, the current section. */
    public record Chrome(String title, String subject, String account, String csrf, String section, boolean admin) {
    }

    public record Login(String error, String csrf, String user, boolean open) {
    }

    /** A message page: not found, refused, bad input. */
    public record Problem(Chrome chrome, int status, String heading, String message) {
    }

    /** A link that a table header or pager shows; {@code current} marks the sorted column or page. */
    public record Link(String label, String href, boolean current, String sortState) {
    }

    /** One image digest with all its tags; badges name its signatures and other referrers. */
    public record ImageLine(String repository, String namespace, List<String> tags, String digest, String shortDigest,
            String created, String size, String status, String statusKind, List<String> badges, String detailsHref,
            String issuesHref) {
    }

    public record Images(Chrome chrome, String host, List<ImageLine> rows, List<String> namespaces, String namespace,
            String query, List<Link> headers, List<Link> pager, String summary, Link previous, Link next) {
    }

    public record Row(String name, String value) {
    }

    public record Layer(String digest, String mediaType, String size) {
    }

    /**
     * One signature of an image: its format, the policy keys that verify it (null: none does), the
     * signing tool its verified payload names, and why it is not verified.
     */
    public record Signature(String format, String verifiedBy, String creator, String problem) {
    }

    public record Details(Chrome chrome, String reference, String repository, String digest, List<String> tags,
            String mediaType, String created, String size, String pullCommand, List<Row> platforms, List<Layer> layers,
            List<Row> config, List<String> environment, List<Signature> signatures, List<Row> referrers, List<Row> chart,
            String status, String issuesHref) {
    }

    /** One bar of the severity chart, sized on the server (no inline style, the CSP forbids it). */
    public record Bar(String severity, long count, int width, int y, int labelY) {
    }

    public record Finding(String id, String severity, String pkg, String installed, String fixed, String summary,
            boolean exempt, String scope) {
    }

    public record ExemptionLine(long id, String scope, String issueType, String issueId, String reason, String createdBy,
            String created) {
    }

    /**
     * An image's issues: {@code vulnerabilities} is one page of them (severity order; {@code summary}
     * and the pager say which), the chart's {@code bars} count them all; the configuration issues, from
     * the fixed set of checks over one config, are whole on every page.
     */
    public record Issues(Chrome chrome, String reference, String repository, String digest, String status,
            String statusKind, String state, String databaseVersion, String currentDatabaseVersion, String scanned,
            String os, String unassessed, String error, List<Bar> bars, int chartHeight, List<Finding> vulnerabilities,
            List<Finding> configuration, List<String> advice, List<ExemptionLine> exemptions, List<String> scopes,
            boolean manager, String flash, String detailsHref, String summary, List<Link> pager, Link previous,
            Link next) {
    }

    public record NamespaceLine(String name, boolean isPublic, String created, String images, String size) {
    }

    public record Namespaces(Chrome chrome, List<NamespaceLine> namespaces, boolean manager, String flash) {
    }

    public record AccessPrincipal(String kind, String name, List<Row> keys) {
    }

    public record Access(Chrome chrome, List<AccessPrincipal> principals, List<List<String>> policies,
            String createdKey, String flash) {
    }

    public record ImagePolicies(Chrome chrome, List<List<String>> policies, List<List<String>> keys, boolean manager,
            String flash) {
    }

    public record Audit(Chrome chrome, List<List<String>> entries, String actor, String action) {
    }

    /** One image in the trash: restorable (by a Writer) until it expires. */
    public record TrashLine(String repository, String reference, String shortDigest, List<String> tags, String deleted,
            String deletedBy, String expires) {
    }

    /** The storage lifecycle of the caller's account: quota and use, the trash, the retention policies. */
    public record Storage(Chrome chrome, List<Row> quota, List<TrashLine> trash, List<List<String>> retention,
            String flash) {
    }
}
