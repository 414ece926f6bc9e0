package io.slipway.registry.api;

import static io.slipway.registry.api.Bodies.JSON;
import static io.slipway.registry.api.Bodies.text;
import static io.slipway.registry.api.ManagementRoute.route;
import static io.slipway.registry.api.ManagementRoute.streamed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.registry.config.RegistryNames;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.scan.ScanResult;
import io.slipway.registry.scan.ScanService;
import io.slipway.registry.scan.ScanStore;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import io.slipway.va.report.Exemption;
import io.slipway.va.report.ImageCoordinates;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Vulnerability Advisor: an image's report and security status, the advisory database (its
 * status, and imports by the administrator), and the exemptions of an account.
 */
public final class VaApi implements ManagementArea {
    private final TenancyStore store;
    private final MetadataStore metadata;
    private final ManifestService manifests;
    private final ScanService scans;
    private final ScanStore scanStore;
    private final Supplier<RegistryNames> names;
    private final CallerAccess access;

    VaApi(TenancyStore store, MetadataStore metadata, ManifestService manifests, ScanService scans,
            ScanStore scanStore, Supplier<RegistryNames> names, CallerAccess access) {
        this.store = store;
        this.metadata = metadata;
        this.manifests = manifests;
        this.scans = scans;
        this.scanStore = scanStore;
        this.names = names;
        this.access = access;
    }

    @Override
    public List<ManagementRoute> routes() {
        return List.of(
                route("GET", "/va", call -> va(call.caller(), call.query("image"))),
                route("GET", "/va/db", call -> advisoryStatus(call.caller())),
                // The body is the advisory file itself (OSV JSON or zip, Debian tracker, Alpine secdb),
                // streamed to a file, not a JSON document.
                streamed("POST", "/va/db/import",
                        call -> importAdvisories(call.caller(), call.query("name"), call.stream())),
                route("GET", "/exemptions",
                        call -> exemptions(call.caller(), call.query("scope"), call.query("account"))),
                route("POST", "/exemptions", call -> addExemption(call.caller(), call.body())),
                route("DELETE", "/exemptions/{name}",
                        call -> deleteExemption(call.caller(), call.id(), call.query("account"))));
    }

    String currentDatabaseVersion() {
        return scans.currentDatabaseVersion();
    }

    /** The security status of one image the caller may pull, as {@code image-list --va} shows it (the console's rows). */
    public String securityStatus(Principal c, String repository, String tag, Digest digest) {
        access.requireImage(c, repository, Action.PULL);
        return securityStatus(repository, tag, digest, 0, currentDatabaseVersion());
    }

    /** One image whose status a listing shows: its repository, first tag (or null), digest and media type. */
    public record Listed(String repository, String tag, Digest digest, String mediaType) {
    }

    /**
     * {@link #securityStatus(Principal, String, String, Digest)} for a page of a listing, in the same
     * order: the scan results in one query, each account's exemptions read once. An index is judged
     * through its children as ever.
     */
    public List<String> securityStatuses(Principal c, List<Listed> images) {
        java.util.function.Predicate<String> pullable = access.pullable(c);
        for (Listed i : images) {
            if (!pullable.test(i.repository())) {
                throw TenancyException.notFound("no repository " + i.repository());
            }
        }
        String current = currentDatabaseVersion();
        java.util.Map<Digest, ScanResult> results = scans.results(images.stream()
                .filter(i -> !io.slipway.oci.MediaTypes.isIndex(i.mediaType())).map(Listed::digest).toList(), current);
        java.util.Map<String, List<Exemption>> exemptions = new java.util.HashMap<>();
        List<String> out = new java.util.ArrayList<>();
        for (Listed i : images) {
            if (io.slipway.oci.MediaTypes.isIndex(i.mediaType())) {
                out.add(securityStatus(i.repository(), i.tag(), i.digest(), 0, current));
                continue;
            }
            ScanResult r = results.get(i.digest());
            ScanService.View v = r == null ? null : scans.view(r, ImageCoordinates.of(i.repository(), i.tag(),
                    i.digest().toString()), exemptions.computeIfAbsent(i.repository().substring(0,
                    i.repository().indexOf('/')), ns -> exemptionsFor(i.repository())));
            out.add(ScanService.status(r, v));
        }
        return out;
    }

    /** An index's status is the worst of its children's. */
    String securityStatus(String repository, String tag, Digest digest, int depth, String current) {
        Optional<ManifestRecord> m = metadata.manifest(repository, digest);
        if (m.isPresent() && io.slipway.oci.MediaTypes.isIndex(m.get().mediaType()) && depth < 2) {
            String worst = "No Issues";
            long worstIssues = -1;
            try {
                var index = io.slipway.oci.Manifest.parse(manifests.get(repository, digest.toString()).content(),
                        m.get().mediaType());
                for (var child : index.manifests()) {
                    String s = securityStatus(repository, tag, child.digest(), depth + 1, current);
                    long n = s.endsWith("Issues") || s.endsWith("Issue") ? Long.parseLong(s.split(" ")[0]) : 0;
                    if (s.equals("Scanning") || s.equals("Scan Failed") || s.equals("Not Scanned")) {
                        return s;
                    }
                    if (n > worstIssues && n > 0) {
                        worst = s;
                        worstIssues = n;
                    } else if (worstIssues <= 0 && s.equals("Unsupported OS")) {
                        worst = s;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return "Unknown";
            }
            return worst;
        }
        Optional<ScanResult> result = scans.result(digest, current);
        return ScanService.status(result.orElse(null), result.map(r -> view(r, repository, tag, digest)).orElse(null));
    }

    private ScanService.View view(ScanResult r, String repository, String tag, Digest digest) {
        return scans.view(r, ImageCoordinates.of(repository, tag, digest.toString()), exemptionsFor(repository));
    }

    private List<Exemption> exemptionsFor(String repository) {
        return new io.slipway.registry.scan.Exemptions(store, scanStore).forRepository(repository);
    }

    /** The largest advisory file the registry takes over the API (OSV's biggest ecosystem zips are far smaller). */
    static final long MAX_ADVISORY_FILE = 2L << 30;

    /**
     * Imports one advisory file sent by the administrator into the database the registry uses, and
     * answers once that database is the one judges compare reports with (re-scans queued). The file is
     * spooled to a temporary file first; a file too large or not an advisory format is refused and
     * the database is left as it was.
     */
    public JsonNode importAdvisories(Principal c, String name, java.io.InputStream body) throws IOException {
        CallerAccess.requireAdmin(c);
        java.nio.file.Path spool = java.nio.file.Files.createTempFile("slipway-advisories-", ".upload");
        try {
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(spool)) {
                long copied = 0;
                byte[] buffer = new byte[1 << 16];
                for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                    copied += n;
                    if (copied > MAX_ADVISORY_FILE) {
                        throw TenancyException.invalid("advisory file larger than " + MAX_ADVISORY_FILE + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
            }
            if (java.nio.file.Files.size(spool) == 0) {
                throw TenancyException.invalid("the request body must be the advisory file");
            }
            ScanService.Imported imported;
            try {
                imported = scans.importAdvisories(spool);
            } catch (IOException | RuntimeException e) {
                throw TenancyException.invalid("cannot import " + (name == null ? "the file" : name) + ": " + e.getMessage());
            }
            ObjectNode r = JSON.createObjectNode();
            r.put("file", name);
            r.put("format", imported.result().format());
            r.put("added", imported.result().added());
            r.put("updated", imported.result().updated());
            r.put("unchanged", imported.result().unchanged());
            r.put("skipped", imported.result().skipped());
            r.put("databaseVersion", imported.databaseVersion());
            return r;
        } finally {
            java.nio.file.Files.deleteIfExists(spool);
        }
    }

    /** The advisory database in use: sources, records, last imports and the version reports name. */
    public JsonNode advisoryStatus(Principal c) {
        String current = scans.currentDatabaseVersion();
        ObjectNode r = JSON.createObjectNode();
        r.put("databaseVersion", current);
        ArrayNode sources = r.putArray("sources");
        for (var s : scans.database().status().sources()) {
            sources.addObject().put("source", s.source()).put("records", s.records()).put("lastImport", s.lastImport());
        }
        return r;
    }

    /**
     * The Vulnerability Advisor report of one image, exemptions marked, in the shape
     * {@link io.slipway.oci.vulnerability.ScanReport#fromJson} reads. It names the advisory database it
     * was computed against and the one in use; a report computed against another database than the
     * one in use is queued again first.
     */
    public JsonNode va(Principal c, String image) throws IOException {
        ImageName name = ImageName.parse(image, names);
        ManifestService.Found found = access.image(c, name, Action.PULL);
        Digest digest = found.record().digest();
        String current = scans.currentDatabaseVersion();
        Optional<ScanResult> result = scans.result(digest, current);
        ObjectNode r = JSON.createObjectNode();
        r.put("image", name.repository() + (name.tag() != null ? ":" + name.tag() : "") + "@" + digest);
        ScanService.View v = result.map(s -> view(s, name.repository(), name.tag(), digest)).orElse(null);
        // An image's status from the result and view read here (not read and judged again); an index's from its children.
        r.put("status", io.slipway.oci.MediaTypes.isIndex(found.record().mediaType())
                ? securityStatus(name.repository(), name.tag(), digest, 0, current)
                : ScanService.status(result.orElse(null), v));
        r.put("currentDatabaseVersion", current);
        if (result.isPresent()) {
            ScanResult s = result.get();
            r.put("state", s.state().name());
            r.put("os", s.os());
            r.put("assessed", s.unassessed() == null);
            if (s.unassessed() != null) {
                r.put("unassessed", s.unassessed());
            }
            r.put("databaseVersion", s.databaseVersion());
            r.put("scanned", s.updated().toString());
            if (s.error() != null) {
                r.put("error", s.error());
            }
            java.util.Set<ScanResult.Issue> exempt = new java.util.HashSet<>(v.exempt());
            ArrayNode vulns = r.putArray("vulnerabilities");
            ArrayNode config = r.putArray("configuration");
            for (ScanResult.Issue i : s.issues()) {
                ObjectNode o = ("cve".equals(i.type()) ? vulns : config).addObject();
                o.put("id", i.id());
                o.put("severity", i.severity());
                if (i.pkg() != null) {
                    o.put("package", i.pkg());
                    o.put("installed", i.installed());
                    o.put("fixed", i.fixed());
                }
                o.put("summary", i.summary());
                if (i.correction() != null) {
                    o.put("correction", i.correction());
                }
                o.put("exempt", exempt.contains(i));
            }
            ArrayNode advice = r.putArray("advice");
            s.advice().forEach(advice::add);
        }
        return r;
    }

    public JsonNode addExemption(Principal c, JsonNode body) {
        String scope = text(body, "scope", true);
        String type = text(body, "issueType", true);
        String id = text(body, "issueId", true);
        Account a = exemptionAccount(c, scope, body);
        access.requireManager(c, a);
        try {
            Exemption.of(scope, type, id, null); // validates scope, type and id
        } catch (IllegalArgumentException e) {
            throw TenancyException.invalid(e.getMessage());
        }
        ScanStore.StoredExemption e = scanStore.addExemption(a.id(), scope, type, id, text(body, "reason", false),
                c.subject());
        return exemptionJson(e);
    }

    public JsonNode exemptions(Principal c, String scope, String account) {
        Account a = access.account(c, account);
        ArrayNode list = JSON.createArrayNode();
        for (ScanStore.StoredExemption e : scanStore.exemptions(a.id())) {
            if (scope == null || e.scope().equals(scope)) {
                list.add(exemptionJson(e));
            }
        }
        return list;
    }

    public JsonNode deleteExemption(Principal c, long id, String account) {
        Account a = access.managed(c, account);
        if (!scanStore.deleteExemption(a.id(), id)) {
            throw TenancyException.notFound("no exemption " + id);
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id);
        return r;
    }

    /** The account an exemption belongs to: the namespace's, or for "*" the caller's (or the named one). */
    private Account exemptionAccount(Principal c, String scope, JsonNode body) {
        if (scope.equals("*")) {
            return access.accountFor(c, body);
        }
        String ns = scope.split("[/:@]", 2)[0];
        Namespace namespace = access.visibleNamespace(c, ns);
        return store.accounts().stream().filter(a -> a.id() == namespace.accountId()).findFirst().orElseThrow();
    }

    private static ObjectNode exemptionJson(ScanStore.StoredExemption e) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", e.id());
        r.put("scope", e.scope());
        r.put("issueType", e.issueType());
        r.put("issueId", e.issueId());
        r.put("reason", e.reason());
        r.put("createdBy", e.createdBy());
        r.put("created", e.created().toString());
        return r;
    }
}
