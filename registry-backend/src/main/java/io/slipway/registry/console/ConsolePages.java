package io.slipway.registry.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.api.ManagementApi;
import io.slipway.registry.api.PolicyApi;
import io.slipway.registry.api.VaApi;
import io.slipway.registry.enforcement.EnforcementService;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.scan.ScanService;
import io.slipway.registry.storage.BlobStore;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.eclipse.jetty.util.Fields;

/**
 * Builds each console page's model from the management API's operations (same tenancy and role
 * checks, no SQL of its own). Reads that the API has no operation for (a manifest's referrers, its
 * config blob) happen only after the API has shown the caller may pull the image.
 */
public final class ConsolePages {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int PAGE_SIZE = 50;
    /** Vulnerabilities a page of an image's issues shows: an image may carry thousands. */
    static final int ISSUES_PAGE_SIZE = 100;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low", "negligible", "unknown");
    private static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";

    private final ManagementApi api;
    private final PolicyApi policies;
    private final Authorizer authorizer;
    private final TenancyStore store;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final ScanService scans;
    private final Supplier<String> host;

    /** @param host the registry host images are pulled by, shown in REPOSITORY and the pull command */
    public ConsolePages(ManagementApi api, PolicyApi policies, Authorizer authorizer, MetadataStore metadata,
            BlobStore blobs, ScanService scans, Supplier<String> host) {
        this.api = api;
        this.policies = policies;
        this.authorizer = authorizer;
        this.store = api.store();
        this.metadata = metadata;
        this.blobs = blobs;
        this.scans = scans;
        this.host = host;
    }

    Pages.Chrome chrome(ConsoleSessions.Session s, String title, String section) {
        Principal p = s.principal();
        return new Pages.Chrome(title, p.kind().label + " " + p.name(), p.account(), s.csrf(), section, p.admin());
    }

    // --- images

    Pages.Images images(ConsoleSessions.Session s, Fields query) {
        Principal c = s.principal();
        String namespace = blankToNull(query.getValue("namespace"));
        String search = blankToNull(query.getValue("q"));
        String sort = Optional.ofNullable(query.getValue("sort")).filter(v -> List.of("repository", "tags", "namespace",
                "created", "size").contains(v)).orElse("created");
        boolean ascending = "asc".equals(query.getValue("dir"));
        int page = Math.max(1, parse(query.getValue("page"), 1));
        // One page of what the caller may pull, cut by the database; then one query each for the page's
        // attachments and security statuses, whatever the size of the account.
        // The pager shows three pages past this one: the count need not go further (past it, the summary
        // says "more than"), so it costs what the pages shown cost, not what the account holds.
        MetadataStore.ImagePage listing = api.images().page(c, namespace, search, sort, ascending,
                (int) Math.min(Integer.MAX_VALUE, (page - 1L) * PAGE_SIZE), PAGE_SIZE,
                (int) Math.min(Integer.MAX_VALUE - 1, (page + 3L) * PAGE_SIZE));
        int total = listing.total();
        int pages = Math.max(1, (total + PAGE_SIZE - 1) / PAGE_SIZE);
        page = Math.min(page, pages);
        List<MetadataStore.ImageGroup> shown = listing.images();
        Map<String, List<MetadataStore.Attachment>> attached = new LinkedHashMap<>();
        for (MetadataStore.Attachment a : api.images().attachments(shown)) {
            attached.computeIfAbsent(a.repositoryId() + "@" + a.subject(), k -> new ArrayList<>()).add(a);
        }
        List<String> statuses = api.va().securityStatuses(c, shown.stream().map(g -> new VaApi.Listed(g.repository(),
                g.tags().isEmpty() ? null : g.tags().get(0), g.digest(), g.mediaType())).toList());
        List<Pages.ImageLine> rows = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            MetadataStore.ImageGroup g = shown.get(i);
            List<MetadataStore.Attachment> mine = attached.getOrDefault(g.repositoryId() + "@" + g.digest(), List.of());
            String status = statuses.get(i);
            String ref = g.repository() + "@" + g.digest();
            rows.add(new Pages.ImageLine(host.get() + "/" + g.repository(), g.repository().substring(0,
                    g.repository().indexOf('/')), g.tags(), g.digest().toString(), g.digest().toString().substring(7, 19),
                    TIME.format(g.created()), size(g.size()), status, statusKind(status), badges(g, mine),
                    "/console/image?ref=" + ConsoleHandler.q(ref), "/console/issues?ref=" + ConsoleHandler.q(ref)));
        }
        List<Pages.Link> headers = new ArrayList<>();
        for (String[] h : new String[][] {{"repository", "Repository"}, {"tags", "Tags"}, {"digest", "Digest"},
                {"namespace", "Namespace"}, {"created", "Created"}, {"size", "Size"}, {"status", "Security status"}}) {
            boolean sortable = !h[0].equals("digest") && !h[0].equals("status");
            boolean current = h[0].equals(sort);
            String dir = current && !ascending ? "asc" : current ? "desc" : h[0].equals("created") || h[0].equals("size")
                    ? "desc" : "asc";
            headers.add(new Pages.Link(h[1], sortable ? "/console/images" + ConsoleHandler.query(List.of("namespace",
                    nz(namespace), "q", nz(search), "sort", h[0], "dir", dir)) : null, current,
                    current ? (ascending ? "ascending" : "descending") : "none"));
        }
        List<Pages.Link> pager = new ArrayList<>();
        int from = Math.max(1, page - 3);
        int to = Math.min(pages, page + 3);
        for (int p = from; p <= to; p++) {
            pager.add(new Pages.Link(Integer.toString(p), pageLink(namespace, search, sort, ascending, p), p == page, null));
        }
        List<String> namespaces = new ArrayList<>();
        api.accounts().namespaces(c).forEach(n -> namespaces.add(n.path("name").asText()));
        String summary = total == 0 ? "No images" : "Images " + ((page - 1) * PAGE_SIZE + 1) + "–"
                + Math.min(total, page * PAGE_SIZE) + " of " + (listing.more() ? "more than " : "") + total;
        return new Pages.Images(chrome(s, "Images", "images"), host.get(), rows, namespaces, nz(namespace), nz(search),
                headers, pager, summary,
                page > 1 ? new Pages.Link("Previous", pageLink(namespace, search, sort, ascending, page - 1), false, null) : null,
                page < pages ? new Pages.Link("Next", pageLink(namespace, search, sort, ascending, page + 1), false, null) : null);
    }

    private static String pageLink(String namespace, String search, String sort, boolean ascending, int page) {
        return "/console/images" + ConsoleHandler.query(List.of("namespace", nz(namespace), "q", nz(search), "sort", sort,
                "dir", ascending ? "asc" : "desc", "page", Integer.toString(page)));
    }

    /**
     * The badges of one image: "Signed by KEY" for each signer key that verifies one of its signatures
     * (checked as a policy's trust requirement checks them), "Signed (unverified)" when none does, then
     * its attestations, SBOMs and other referrers.
     */
    private List<String> badges(MetadataStore.ImageGroup g, List<MetadataStore.Attachment> attachments) {
        List<String> badges = new ArrayList<>();
        boolean signed = false;
        for (MetadataStore.Attachment a : attachments) {
            switch (a.kind()) {
                case "sig", "simple" -> signed = true;
                case "att" -> badges.add("Attestation");
                case "sbom" -> badges.add("SBOM");
                default -> {
                    String label = referrerLabel(a.detail());
                    if (label.equals("Signed")) {
                        signed = true;
                    } else {
                        badges.add(label);
                    }
                }
            }
        }
        if (signed) {
            List<String> signing = new ArrayList<>();
            for (EnforcementService.SignatureCheck check : policies.signatureChecks(g.repository(), g.digest())) {
                check.keyNames().forEach(k -> signing.add("Signed by " + k));
            }
            if (signing.isEmpty()) {
                signing.add("Signed (unverified)");
            }
            badges.addAll(0, signing);
        }
        return badges.stream().distinct().toList();
    }

    private static String referrerLabel(String artifactType) {
        if (artifactType == null) {
            return "Referrer";
        }
        if (artifactType.contains("cosign") || artifactType.contains("signature")) {
            return "Signed";
        }
        if (artifactType.contains("spdx") || artifactType.contains("cyclonedx") || artifactType.contains("sbom")) {
            return "SBOM";
        }
        return "Referrer: " + artifactType;
    }

    static String statusKind(String status) {
        if (status.equals("No Issues")) {
            return "ok";
        }
        if (status.endsWith("Issue") || status.endsWith("Issues") || status.equals("Scan Failed")) {
            return "bad";
        }
        return "neutral";
    }

    // --- image details

    Pages.Details details(ConsoleSessions.Session s, String ref) throws IOException {
        Principal c = s.principal();
        JsonNode inspected = api.images().inspect(c, required(ref)); // 404 unless the caller may pull it
        String repository = inspected.path("repository").asText();
        Digest digest = Digest.parse(inspected.path("digest").asText());
        JsonNode manifest = inspected.path("manifest");
        List<String> tags = new ArrayList<>();
        inspected.path("tags").forEach(t -> tags.add(t.asText()));
        List<Pages.Row> platforms = new ArrayList<>();
        for (JsonNode m : manifest.path("manifests")) {
            JsonNode p = m.path("platform");
            platforms.add(new Pages.Row(p.isMissingNode() ? "(no platform)" : p.path("os").asText() + "/"
                    + p.path("architecture").asText() + (p.has("variant") ? "/" + p.path("variant").asText() : ""),
                    m.path("digest").asText() + " · " + size(m.path("size").asLong())));
        }
        List<Pages.Layer> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            layers.add(new Pages.Layer(l.path("digest").asText(), l.path("mediaType").asText(), size(l.path("size").asLong())));
        }
        List<Pages.Row> config = new ArrayList<>();
        List<String> environment = new ArrayList<>();
        List<Pages.Row> chart = new ArrayList<>();
        JsonNode configDescriptor = manifest.path("config");
        if (configDescriptor.has("digest") && configDescriptor.path("size").asLong() <= 1 << 20) {
            JsonNode cfg = readJson(Digest.parse(configDescriptor.path("digest").asText()));
            if (HELM_CONFIG.equals(configDescriptor.path("mediaType").asText())) {
                for (String f : List.of("name", "version", "appVersion", "description", "apiVersion", "type")) {
                    if (cfg.hasNonNull(f)) {
                        chart.add(new Pages.Row(f, cfg.path(f).asText()));
                    }
                }
            } else if (cfg.has("config")) {
                JsonNode cc = cfg.path("config");
                if (cfg.hasNonNull("os")) {
                    platforms.add(new Pages.Row(cfg.path("os").asText() + "/" + cfg.path("architecture").asText(),
                            "this image"));
                }
                config.add(new Pages.Row("Entrypoint", join(cc.path("Entrypoint"))));
                config.add(new Pages.Row("Command", join(cc.path("Cmd"))));
                config.add(new Pages.Row("User", cc.path("User").asText("").isEmpty() ? "(root)" : cc.path("User").asText()));
                config.add(new Pages.Row("Working directory", cc.path("WorkingDir").asText("")));
                List<String> ports = new ArrayList<>();
                cc.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
                config.add(new Pages.Row("Exposed ports", String.join(", ", ports)));
                cc.path("Labels").fields().forEachRemaining(e -> config.add(new Pages.Row("Label " + e.getKey(),
                        e.getValue().asText())));
                // names only: values of environment variables may be secrets
                for (JsonNode e : cc.path("Env")) {
                    String text = e.asText();
                    environment.add(text.contains("=") ? text.substring(0, text.indexOf('=')) : text);
                }
            }
        }
        List<Pages.Signature> signatures = new ArrayList<>();
        for (EnforcementService.SignatureCheck check : policies.signatureChecks(repository, digest)) {
            signatures.add(new Pages.Signature(check.format(), check.verifiedBy().isEmpty() ? null
                    : String.join(", ", check.verifiedBy()), check.creator(), check.problem()));
        }
        List<Pages.Row> referrers = new ArrayList<>();
        for (ManifestRecord r : metadata.referrers(repository, digest)) {
            referrers.add(new Pages.Row(r.artifactType() == null ? r.mediaType() : r.artifactType(), r.digest().toString()));
        }
        String status = api.va().securityStatus(c, repository, tags.isEmpty() ? null : tags.get(0), digest);
        String reference = repository + "@" + digest;
        return new Pages.Details(chrome(s, "Image " + repository, "images"), reference, host.get() + "/" + repository,
                digest.toString(), tags, inspected.path("mediaType").asText(),
                TIME.format(Instant.parse(inspected.path("created").asText())), size(inspected.path("size").asLong()),
                "docker pull " + host.get() + "/" + reference, platforms, layers, config, environment, signatures,
                referrers, chart, status, "/console/issues?ref=" + ConsoleHandler.q(reference));
    }

    private JsonNode readJson(Digest digest) {
        try {
            return JSON.readTree(blobs.readAll(digest, 1 << 20));
        } catch (IOException | RuntimeException e) {
            return JSON.createObjectNode();
        }
    }

    private static String join(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(a -> parts.add(a.asText()));
        return String.join(" ", parts);
    }

    // --- security issues

    Pages.Issues issues(ConsoleSessions.Session s, String ref, String requestedPage, String done) throws IOException {
        Principal c = s.principal();
        JsonNode inspected = api.images().inspect(c, required(ref));
        String repository = inspected.path("repository").asText();
        String digest = inspected.path("digest").asText();
        String reference = repository + "@" + digest;
        JsonNode va = api.va().va(c, reference);
        List<String> tags = new ArrayList<>();
        inspected.path("tags").forEach(t -> tags.add(t.asText()));
        Map<String, Long> counts = new LinkedHashMap<>();
        SEVERITIES.forEach(sev -> counts.put(sev, 0L));
        List<Pages.Finding> vulnerabilities = findings(va.path("vulnerabilities"), counts);
        List<Pages.Finding> configuration = findings(va.path("configuration"), counts);
        // One page of the vulnerabilities, in severity order; the chart above counts them all.
        int total = vulnerabilities.size();
        int pages = Math.max(1, (total + ISSUES_PAGE_SIZE - 1) / ISSUES_PAGE_SIZE);
        int page = Math.min(pages, Math.max(1, parse(requestedPage, 1)));
        List<Pages.Finding> shown = vulnerabilities.subList((page - 1) * ISSUES_PAGE_SIZE,
                Math.min(total, page * ISSUES_PAGE_SIZE));
        List<Pages.Link> pager = new ArrayList<>();
        if (pages > 1) {
            for (int p = Math.max(1, page - 3); p <= Math.min(pages, page + 3); p++) {
                pager.add(new Pages.Link(Integer.toString(p), issuesPageLink(repository + "@" + digest, p), p == page, null));
            }
        }
        String summary = total == 0 ? "" : "Vulnerabilities " + ((page - 1) * ISSUES_PAGE_SIZE + 1) + "–"
                + Math.min(total, page * ISSUES_PAGE_SIZE) + " of " + total;
        long most = counts.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<Pages.Bar> bars = new ArrayList<>();
        int y = 0;
        for (var e : counts.entrySet()) {
            int width = most == 0 ? 0 : (int) Math.max(e.getValue() > 0 ? 2 : 0, e.getValue() * 240 / most);
            bars.add(new Pages.Bar(e.getKey(), e.getValue(), width, y, y + 15));
            y += 24;
        }
        String namespace = repository.substring(0, repository.indexOf('/'));
        List<String> scopes = new ArrayList<>();
        scopes.add(reference);
        tags.forEach(t -> scopes.add(repository + ":" + t));
        scopes.add(repository);
        scopes.add(namespace);
        scopes.add("*");
        List<Pages.ExemptionLine> exemptions = new ArrayList<>();
        for (JsonNode e : api.va().exemptions(c, null, null)) {
            if (scopes.contains(e.path("scope").asText())) {
                exemptions.add(new Pages.ExemptionLine(e.path("id").asLong(), e.path("scope").asText(),
                        e.path("issueType").asText(), e.path("issueId").asText(), e.path("reason").asText(""),
                        e.path("createdBy").asText(), TIME.format(Instant.parse(e.path("created").asText()))));
            }
        }
        Optional<Namespace> ns = store.namespace(namespace);
        boolean manager = ns.isPresent() && authorizer.managesAccount(c, ns.get().accountId());
        List<String> advice = new ArrayList<>();
        va.path("advice").forEach(a -> advice.add(a.asText()));
        String status = va.path("status").asText();
        String flash = done == null ? null : switch (done) {
            case "exempted" -> "The exemption was added.";
            case "removed" -> "The exemption was removed.";
            case "rescan" -> "A new scan was queued.";
            default -> null;
        };
        return new Pages.Issues(chrome(s, "Security issues of " + repository, "images"), reference,
                host.get() + "/" + repository, digest, status, statusKind(status), va.path("state").asText("NOT_SCANNED"),
                va.path("databaseVersion").asText(""), va.path("currentDatabaseVersion").asText(""),
                va.has("scanned") ? TIME.format(Instant.parse(va.path("scanned").asText())) : "not yet",
                va.path("os").asText(""), va.path("unassessed").asText(null), va.path("error").asText(null), bars,
                y, shown, configuration, advice, exemptions, scopes, manager, flash,
                "/console/image?ref=" + ConsoleHandler.q(reference), summary, pager,
                page > 1 ? new Pages.Link("Previous", issuesPageLink(reference, page - 1), false, null) : null,
                page < pages ? new Pages.Link("Next", issuesPageLink(reference, page + 1), false, null) : null);
    }

    /** A page of an image's issues, opened at its list of vulnerabilities (a plain link: no script needed). */
    private static String issuesPageLink(String reference, int page) {
        return "/console/issues" + ConsoleHandler.query(List.of("ref", reference, "page", Integer.toString(page)))
                + "#vulnerabilities-title";
    }

    private static List<Pages.Finding> findings(JsonNode list, Map<String, Long> counts) {
        List<Pages.Finding> out = new ArrayList<>();
        for (JsonNode f : list) {
            String severity = f.path("severity").asText("unknown").toLowerCase(Locale.ROOT);
            boolean exempt = f.path("exempt").asBoolean();
            if (!exempt) {
                counts.merge(counts.containsKey(severity) ? severity : "unknown", 1L, Long::sum);
            }
            out.add(new Pages.Finding(f.path("id").asText(), severity, f.path("package").asText(""),
                    f.path("installed").asText(""), f.path("fixed").asText(""),
                    f.has("correction") ? f.path("correction").asText() : f.path("summary").asText(""), exempt, null));
        }
        out.sort(Comparator.comparingInt((Pages.Finding f) -> SEVERITIES.indexOf(f.severity()) < 0 ? 99
                : SEVERITIES.indexOf(f.severity())).thenComparing(Pages.Finding::id));
        return out;
    }

    /** Queues a new scan of an image the caller may push to (a re-scan costs the registry work). */
    void rescan(Principal c, String ref) throws IOException {
        JsonNode inspected = api.images().inspect(c, required(ref)); // 404 unless the caller may pull it
        String repository = inspected.path("repository").asText();
        if (!api.open() && !authorizer.allowed(c, repository).contains(Action.PUSH)) {
            throw TenancyException.denied("only a Writer of " + repository + " may scan it again");
        }
        ManifestRecord m = metadata.manifest(repository, Digest.parse(inspected.path("digest").asText()))
                .orElseThrow(() -> TenancyException.notFound("no image " + ref));
        if (MediaTypes.isIndex(m.mediaType())) {
            JsonNode manifest = inspected.path("manifest");
            for (JsonNode child : manifest.path("manifests")) {
                metadata.manifest(repository, Digest.parse(child.path("digest").asText())).ifPresent(scans::rescan);
            }
        } else {
            scans.rescan(m);
        }
    }

    // --- namespaces, access, image policies, audit

    Pages.Namespaces namespaces(ConsoleSessions.Session s, String done) {
        Principal c = s.principal();
        // Storage used is the storage lifecycle's own accounting (what the quota judges, per namespace),
        // one query per account shown; the image count is the images page's own count. Neither reads
        // every image of the account.
        Map<String, Map<String, Long>> storage = new LinkedHashMap<>();
        List<Pages.NamespaceLine> lines = new ArrayList<>();
        for (JsonNode n : api.accounts().namespaces(c)) {
            String name = n.path("name").asText();
            Map<String, Long> used = storage.computeIfAbsent(n.path("account").asText(),
                    account -> api.lifecycle().namespaceStorage(c, account));
            lines.add(new Pages.NamespaceLine(name, n.path("public").asBoolean(),
                    TIME.format(Instant.parse(n.path("created").asText())), Integer.toString(api.images().count(c, name)),
                    size(used.getOrDefault(name, 0L))));
        }
        boolean manager = api.open() || authorizer.managesAccount(c, c.accountId());
        return new Pages.Namespaces(chrome(s, "Namespaces", "namespaces"), lines, manager, flash(done));
    }

    Pages.Access access(ConsoleSessions.Session s, String createdKey, String done) {
        Principal c = s.principal();
        List<Pages.AccessPrincipal> principals = new ArrayList<>();
        for (JsonNode p : api.iam().principals(c, null)) { // Managers only: others are refused
            JsonNode selector = JSON.createObjectNode().put(p.path("kind").asText().equals("service") ? "serviceId" : "user",
                    p.path("name").asText());
            List<Pages.Row> keys = new ArrayList<>();
            for (JsonNode k : api.iam().apiKeys(c, selector)) {
                keys.add(new Pages.Row("key " + k.path("id").asText() + " " + k.path("description").asText(""),
                        TIME.format(Instant.parse(k.path("created").asText()))));
            }
            principals.add(new Pages.AccessPrincipal(p.path("kind").asText(), p.path("name").asText(), keys));
        }
        List<List<String>> grants = new ArrayList<>();
        for (JsonNode p : api.iam().policies(c, null)) {
            grants.add(List.of(p.has("serviceId") ? "service " + p.path("serviceId").asText() : "user "
                    + p.path("user").asText(), p.path("role").asText(), p.path("namespace").asText("(account)"),
                    p.path("repository").asText("")));
        }
        return new Pages.Access(chrome(s, "Access", "access"), principals, grants, createdKey, flash(done));
    }

    Pages.ImagePolicies imagePolicies(ConsoleSessions.Session s, String done) {
        Principal c = s.principal();
        List<List<String>> lines = new ArrayList<>();
        for (JsonNode p : policies.policies(c, null)) {
            lines.add(List.of(p.path("kind").asText(), p.path("namespace").asText(""), p.path("name").asText(),
                    p.path("document").asText(p.toString())));
        }
        List<List<String>> keys = new ArrayList<>();
        for (JsonNode k : policies.keys(c, null)) {
            keys.add(List.of(k.path("name").asText(), k.path("cluster").asBoolean() ? "(registry-wide)"
                    : k.path("namespace").asText(""), k.path("updatedBy").asText("")));
        }
        boolean manager = api.open() || authorizer.managesAccount(c, c.accountId());
        return new Pages.ImagePolicies(chrome(s, "Image policies", "image-policies"), lines, keys, manager, flash(done));
    }

    void applyPolicy(Principal c, String document) {
        policies.putPolicy(c, JSON.createObjectNode().put("document", required(document)));
    }

    Pages.Audit audit(ConsoleSessions.Session s, String actor, String action) {
        List<List<String>> entries = new ArrayList<>();
        for (JsonNode e : api.audit().audit(s.principal(), 500)) { // the administrator's only: others are refused
            if ((actor == null || e.path("actor").asText().contains(actor))
                    && (action == null || e.path("action").asText().contains(action))) {
                entries.add(List.of(e.path("at").asText(), e.path("actor").asText(), e.path("action").asText(),
                        e.path("target").asText(""), e.path("remote").asText(""), e.path("outcome").asText("")));
            }
        }
        return new Pages.Audit(chrome(s, "Audit log", "audit"), entries, nz(actor), nz(action));
    }

    // --- storage: quota, trash, retention (the lifecycle area of the management API)

    Pages.Storage storage(ConsoleSessions.Session s, String done) {
        Principal c = s.principal();
        JsonNode quota = api.lifecycle().quota(c, null);
        List<Pages.Row> usage = new ArrayList<>();
        usage.add(new Pages.Row("Storage used", quota.path("storage").path("usedText").asText() + " of "
                + quota.path("storage").path("limitText").asText()));
        usage.add(new Pages.Row("Pull traffic in " + quota.path("month").asText(), quota.path("traffic")
                .path("usedText").asText() + " of " + quota.path("traffic").path("limitText").asText()));
        List<Pages.TrashLine> trash = new ArrayList<>();
        for (JsonNode e : api.lifecycle().trashList(c, null, null)) { // only what the caller may pull
            List<String> tags = new ArrayList<>();
            e.path("tags").forEach(t -> tags.add(t.asText()));
            String digest = e.path("digest").asText();
            trash.add(new Pages.TrashLine(e.path("repository").asText(), e.path("repository").asText() + "@" + digest,
                    digest.substring(7, Math.min(digest.length(), 19)), tags,
                    TIME.format(Instant.parse(e.path("deleted").asText())), e.path("deletedBy").asText(),
                    TIME.format(Instant.parse(e.path("expires").asText()))));
        }
        List<List<String>> retention = new ArrayList<>();
        for (JsonNode p : api.lifecycle().retentionPolicies(c, null, null)) {
            retention.add(List.of(p.path("namespace").asText(), p.path("images").asText(),
                    p.path("retainUntagged").asBoolean() ? "all kept" : "counted like the others", p.path("updatedBy").asText()));
        }
        return new Pages.Storage(chrome(s, "Storage", "storage"), usage, trash, retention, flash(done));
    }

    /** Restores an image from the trash: the management API's restore, a Writer's (its checks decide). */
    void restore(Principal c, String image) throws IOException {
        api.lifecycle().restore(c, required(image));
    }

    // --- formatting

    private static String flash(String done) {
        return done == null ? null : switch (done) {
            case "created" -> "Created.";
            case "deleted" -> "Removed.";
            case "changed" -> "Changed.";
            case "applied" -> "Applied.";
            case "restored" -> "The image was restored from the trash.";
            default -> null;
        };
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String required(String s) {
        if (s == null || s.isBlank()) {
            throw TenancyException.invalid("which image? (ref=ns/repo@digest)");
        }
        return s.trim();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static int parse(String s, int otherwise) {
        try {
            return s == null ? otherwise : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Keeps the set of namespaces sorted for the filter. */
    static List<String> sorted(List<String> names) {
        return List.copyOf(new TreeSet<>(names));
    }
}
