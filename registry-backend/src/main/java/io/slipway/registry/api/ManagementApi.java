package io.slipway.registry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.RegistryException;
import io.slipway.registry.metadata.ImageRow;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.tenancy.Role;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.Tenancy;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.ApiKey;
import io.slipway.registry.tenancy.TenancyModel.AuditEntry;
import io.slipway.registry.tenancy.TenancyModel.Kind;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Policy;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import io.slipway.registry.scan.ScanResult;
import io.slipway.registry.scan.ScanService;
import io.slipway.registry.scan.ScanStore;
import io.slipway.va.report.Exemption;
import io.slipway.va.report.ImageCoordinates;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The management API's operations, each checking who may do it: the administrator manages
 * accounts; an account's Managers manage its namespaces, users, service IDs, keys and policies;
 * images follow the repository's pull/push/delete grants. Something of another account is
 * answered as not found, exactly as something that does not exist.
 */
public final class ManagementApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tenancy tenancy;
    private final TenancyStore store;
    private final Authorizer authorizer;
    private final MetadataStore metadata;
    private final ManifestService manifests;
    private final boolean open;
    private final io.slipway.registry.signatures.SignatureService signatures;

    private final ScanService scans;
    private final ScanStore scanStore;

    private final java.util.function.Supplier<io.slipway.registry.config.RegistryNames> names;

    /** @param names this registry's own hosts: an image reference naming another host is refused */
    public ManagementApi(Tenancy tenancy, Authorizer authorizer, MetadataStore metadata, ManifestService manifests,
            boolean open, ScanService scans, ScanStore scanStore,
            java.util.function.Supplier<io.slipway.registry.config.RegistryNames> names) {
        this.names = names;
        this.scans = scans;
        this.scanStore = scanStore;
        this.tenancy = tenancy;
        this.store = tenancy.store();
        this.authorizer = authorizer;
        this.metadata = metadata;
        this.manifests = manifests;
        this.open = open;
        this.signatures = new io.slipway.registry.signatures.SignatureService(metadata);
    }

    /** In {@code --auth none} every caller acts as the administrator. */
    public boolean open() {
        return open;
    }

    public TenancyStore store() {
        return store;
    }

    // --- who

    public JsonNode whoami(Principal c) {
        return principalJson(c);
    }

    // --- accounts

    public JsonNode createAccount(Principal c, JsonNode body) {
        requireAdmin(c);
        Account a = tenancy.createAccount(text(body, "name", true));
        return accountJson(a);
    }

    public JsonNode accounts(Principal c) {
        ArrayNode list = JSON.createArrayNode();
        for (Account a : store.accounts()) {
            if (c.admin() || a.id() == c.accountId()) {
                list.add(accountJson(a));
            }
        }
        return list;
    }

    /** The account named in the request, or the caller's own; another account's is only for the administrator. */
    private Account accountFor(Principal c, JsonNode body) {
        String name = body == null ? null : text(body, "account", false);
        return accountNamed(c, name);
    }

    private Account accountNamed(Principal c, String name) {
        return authorizer.account(c, name);
    }

    private void requireManager(Principal c, Account a) {
        if (!authorizer.managesAccount(c, a.id())) {
            throw TenancyException.denied("only a Manager of account " + a.name() + " may do this");
        }
    }

    // --- namespaces

    public JsonNode createNamespace(Principal c, JsonNode body) {
        Account a = accountFor(c, body);
        requireManager(c, a);
        Namespace ns = tenancy.createNamespace(text(body, "name", true), a, body.path("public").asBoolean(false));
        return namespaceJson(ns);
    }

    public JsonNode namespaces(Principal c) {
        ArrayNode list = JSON.createArrayNode();
        for (Namespace ns : store.namespaces(c.admin() ? null : c.accountId())) {
            if (c.admin() || authorizer.managesAccount(c, ns.accountId()) || authorizer.sees(c, ns)) {
                list.add(namespaceJson(ns));
            }
        }
        return list;
    }

    private Namespace visibleNamespace(Principal c, String name) {
        Optional<Namespace> ns = store.namespace(name);
        if (ns.isEmpty() || !(c.admin() || ns.get().accountId() == c.accountId() && authorizer.sees(c, ns.get()))) {
            throw TenancyException.notFound("no namespace " + name);
        }
        return ns.get();
    }

    public JsonNode updateNamespace(Principal c, String name, JsonNode body) {
        Namespace ns = visibleNamespace(c, name);
        if (!authorizer.managesNamespace(c, ns)) {
            throw TenancyException.denied("only a Manager of namespace " + name + " may change it");
        }
        if (body.has("public")) {
            store.setPublic(name, body.get("public").asBoolean());
        }
        return namespaceJson(store.namespace(name).orElseThrow());
    }

    public JsonNode deleteNamespace(Principal c, String name, boolean force) {
        Namespace ns = visibleNamespace(c, name);
        if (!authorizer.managesNamespace(c, ns)) {
            throw TenancyException.denied("only a Manager of namespace " + name + " may remove it");
        }
        int images = metadata.images(name + "/").size();
        if (images > 0 && !force) {
            throw TenancyException.conflict("namespace " + name + " holds " + images
                    + " images; remove them first or ask again with force");
        }
        int repositories = metadata.deleteRepositories(name);
        store.deleteNamespace(name);
        ObjectNode result = JSON.createObjectNode();
        result.put("namespace", name);
        result.put("repositoriesRemoved", repositories);
        return result;
    }

    // --- users and service IDs

    public JsonNode createUser(Principal c, JsonNode body) {
        Account a = accountFor(c, body);
        requireManager(c, a);
        Principal u = tenancy.createUser(a, text(body, "name", true), text(body, "password", false), false);
        String role = text(body, "role", false);
        if (role != null) {
            tenancy.createPolicy(a, u, Role.parse(role), null, null);
        }
        return principalJson(u);
    }

    public JsonNode createServiceId(Principal c, JsonNode body) {
        Account a = accountFor(c, body);
        requireManager(c, a);
        return principalJson(tenancy.createServiceId(a, text(body, "name", true)));
    }

    public JsonNode principals(Principal c, String account) {
        Account a = accountNamed(c, account);
        requireManager(c, a);
        ArrayNode list = JSON.createArrayNode();
        store.principals(a.id()).forEach(p -> list.add(principalJson(p)));
        return list;
    }

    public JsonNode deletePrincipal(Principal c, String kind, String name, String account) {
        Account a = accountNamed(c, account);
        requireManager(c, a);
        Principal p = tenancy.principal(a, Kind.of(kind), name);
        if (p.admin()) {
            throw TenancyException.denied("the administrator cannot be removed");
        }
        store.deletePrincipal(p.id());
        return principalJson(p);
    }

    // --- API keys

    public JsonNode createApiKey(Principal c, JsonNode body) {
        Principal owner = keyOwner(c, body);
        Tenancy.CreatedKey key = tenancy.createApiKey(owner, text(body, "description", false));
        ObjectNode result = apiKeyJson(key.record(), owner);
        result.put("apiKey", key.secret());
        return result;
    }

    public JsonNode apiKeys(Principal c, JsonNode selector) {
        Principal owner = keyOwner(c, selector);
        ArrayNode list = JSON.createArrayNode();
        tenancy.apiKeys(owner).forEach(k -> list.add(apiKeyJson(k, owner)));
        return list;
    }

    public JsonNode deleteApiKey(Principal c, long id) {
        // Keys are found through their owner so that another account's key id looks absent.
        for (Principal p : store.principals(c.accountId())) {
            for (ApiKey k : store.apiKeys(p.id())) {
                if (k.id() == id && (p.id() == c.id() || authorizer.managesAccount(c, p.accountId()))) {
                    store.deleteApiKey(id);
                    return apiKeyJson(k, p);
                }
            }
        }
        if (c.admin()) {
            for (Account a : store.accounts()) {
                for (Principal p : store.principals(a.id())) {
                    for (ApiKey k : store.apiKeys(p.id())) {
                        if (k.id() == id) {
                            store.deleteApiKey(id);
                            return apiKeyJson(k, p);
                        }
                    }
                }
            }
        }
        throw TenancyException.notFound("no API key " + id);
    }

    /** The principal a key request is about: a named service ID or user, or the caller. */
    private Principal keyOwner(Principal c, JsonNode body) {
        String service = body == null ? null : text(body, "serviceId", false);
        String user = body == null ? null : text(body, "user", false);
        if (service == null && user == null) {
            return c;
        }
        Account a = accountFor(c, body);
        Principal p = tenancy.principal(a, service != null ? Kind.SERVICE : Kind.USER, service != null ? service : user);
        if (p.id() != c.id()) {
            requireManager(c, a);
        }
        return p;
    }

    // --- policies

    public JsonNode createPolicy(Principal c, JsonNode body) {
        Account a = accountFor(c, body);
        requireManager(c, a);
        String service = text(body, "serviceId", false);
        String user = text(body, "user", false);
        if ((service == null) == (user == null)) {
            throw TenancyException.invalid("name exactly one of user or serviceId");
        }
        Principal p = tenancy.principal(a, service != null ? Kind.SERVICE : Kind.USER, service != null ? service : user);
        Policy policy = tenancy.createPolicy(a, p, Role.parse(text(body, "role", true)), text(body, "namespace", false),
                text(body, "repository", false));
        return policyJson(policy);
    }

    public JsonNode policies(Principal c, String account) {
        Account a = accountNamed(c, account);
        requireManager(c, a);
        ArrayNode list = JSON.createArrayNode();
        store.policiesInAccount(a.id()).forEach(p -> list.add(policyJson(p)));
        return list;
    }

    public JsonNode deletePolicy(Principal c, long id) {
        Optional<Policy> p = store.policy(id);
        if (p.isEmpty() || !authorizer.managesAccount(c, p.get().accountId())) {
            throw TenancyException.notFound("no policy " + id);
        }
        store.deletePolicy(id);
        return policyJson(p.get());
    }

    // --- images

    public JsonNode images(Principal c, String restrict) {
        return images(c, restrict, false);
    }

    /** The image listing; with {@code va}, each row carries its security status. */
    public JsonNode images(Principal c, String restrict, boolean va) {
        String prefix = null;
        if (restrict != null && !restrict.isBlank()) {
            prefix = restrict.contains("/") ? restrict : restrict + "/";
        }
        ArrayNode list = JSON.createArrayNode();
        String current = va ? scans.currentDatabaseVersion() : null;
        for (ImageRow row : metadata.images(prefix)) {
            if (restrict != null && restrict.contains("/") && !row.repository().equals(restrict)
                    && !row.repository().startsWith(restrict + "/")) {
                continue;
            }
            if (!can(c, row.repository(), Action.PULL)) {
                continue;
            }
            ObjectNode r = list.addObject();
            r.put("repository", row.repository());
            r.put("namespace", row.namespace());
            if (row.tag() != null) {
                r.put("tag", row.tag());
            } else {
                r.putNull("tag");
            }
            r.put("digest", row.digest().toString());
            r.put("mediaType", row.mediaType());
            r.put("created", row.created().toString());
            r.put("size", row.size());
            if (va) {
                r.put("securityStatus", securityStatus(row.repository(), row.tag(), row.digest(), 0, current));
            }
        }
        return list;
    }

    // --- Vulnerability Advisor

    /** An index's status is the worst of its children's. */
    private String securityStatus(String repository, String tag, Digest digest, int depth, String current) {
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
        requireAdmin(c);
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
        requireImage(c, name.repository(), Action.PULL);
        ManifestService.Found found = get(name);
        Digest digest = found.record().digest();
        String current = scans.currentDatabaseVersion();
        Optional<ScanResult> result = scans.result(digest, current);
        ObjectNode r = JSON.createObjectNode();
        r.put("image", name.repository() + (name.tag() != null ? ":" + name.tag() : "") + "@" + digest);
        r.put("status", securityStatus(name.repository(), name.tag(), digest, 0, current));
        r.put("currentDatabaseVersion", current);
        if (result.isPresent()) {
            ScanResult s = result.get();
            ScanService.View v = view(s, name.repository(), name.tag(), digest);
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
                o.put("exempt", v.exempt().contains(i));
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
        requireManager(c, a);
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
        Account a = accountNamed(c, account);
        ArrayNode list = JSON.createArrayNode();
        for (ScanStore.StoredExemption e : scanStore.exemptions(a.id())) {
            if (scope == null || e.scope().equals(scope)) {
                list.add(exemptionJson(e));
            }
        }
        return list;
    }

    public JsonNode deleteExemption(Principal c, long id, String account) {
        Account a = accountNamed(c, account);
        requireManager(c, a);
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
            return accountFor(c, body);
        }
        String ns = scope.split("[/:@]", 2)[0];
        Namespace namespace = visibleNamespace(c, ns);
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

    public JsonNode inspect(Principal c, String image) throws IOException {
        ImageName name = ImageName.parse(image, names);
        requireImage(c, name.repository(), Action.PULL);
        ManifestService.Found found = get(name);
        ObjectNode r = manifestJson(found.record());
        r.set("manifest", JSON.readTree(found.content()));
        ArrayNode tags = r.putArray("tags");
        for (ImageRow row : metadata.images(name.repository())) {
            if (row.repository().equals(name.repository()) && row.digest().equals(found.record().digest())
                    && row.tag() != null) {
                tags.add(row.tag());
            }
        }
        return r;
    }

    public JsonNode tag(Principal c, String source, String target) throws IOException {
        ImageName from = ImageName.parse(source, names);
        ImageName to = ImageName.parse(target, names);
        if (to.digest() != null) {
            throw TenancyException.invalid("the target of a tag is ns/repo:tag");
        }
        requireImage(c, from.repository(), Action.PULL);
        requireImage(c, to.repository(), Action.PUSH);
        try {
            ManifestService.Pushed pushed = manifests.copy(from.repository(), from.reference(), to.repository(), to.tag());
            signatures.copy(from.repository(), pushed.digest(), to.repository());
            copyCosignSignatures(from.repository(), pushed.digest(), to.repository());
            ObjectNode r = JSON.createObjectNode();
            r.put("source", from.toString());
            r.put("target", to.repository() + ":" + to.tag());
            r.put("digest", pushed.digest().toString());
            return r;
        } catch (RegistryException e) {
            throw TenancyException.notFound(e.getMessage());
        }
    }

    /**
     * Signatures travel with the image: the cosign tag {@code sha256-<hex>.sig} and the OCI 1.1
     * referrers of the digest are copied too, so a policy that trusts the source trusts the copy.
     */
    private void copyCosignSignatures(String source, Digest digest, String target) throws IOException {
        String sigTag = digest.tagForm() + ".sig";
        if (metadata.manifestByTag(source, sigTag).isPresent()) {
            manifests.copy(source, sigTag, target, sigTag);
        }
        for (ManifestRecord referrer : metadata.referrers(source, digest)) {
            manifests.copy(source, referrer.digest().toString(), target, null);
        }
    }

    /** Removes an image: by digest, the manifest and all its tags; by tag, the image the tag names. */
    public JsonNode deleteImage(Principal c, String image) throws IOException {
        ImageName name = ImageName.parse(image, names);
        requireImage(c, name.repository(), Action.DELETE);
        ManifestService.Found found = get(name);
        Digest digest = found.record().digest();
        metadata.deleteManifest(name.repository(), digest);
        ObjectNode r = JSON.createObjectNode();
        r.put("repository", name.repository());
        r.put("digest", digest.toString());
        return r;
    }

    private ManifestService.Found get(ImageName name) throws IOException {
        try {
            return manifests.get(name.repository(), name.reference());
        } catch (RegistryException e) {
            throw TenancyException.notFound("no image " + name);
        }
    }

    private boolean can(Principal c, String repository, Action action) {
        return open || authorizer.allowed(c, repository).contains(action);
    }

    /** Refuses as "not found" unless the caller may at least pull; as "denied" when it may pull but not this. */
    private void requireImage(Principal c, String repository, Action action) {
        if (can(c, repository, action)) {
            return;
        }
        if (!can(c, repository, Action.PULL)) {
            throw TenancyException.notFound("no repository " + repository);
        }
        throw TenancyException.denied("you may not " + action.scopeName() + " in " + repository);
    }

    // --- audit

    public JsonNode audit(Principal c, int limit) {
        requireAdmin(c);
        ArrayNode list = JSON.createArrayNode();
        for (AuditEntry e : store.auditLog(Math.max(1, Math.min(limit, 10_000)))) {
            ObjectNode r = list.addObject();
            r.put("at", e.at().toString());
            r.put("actor", e.actor());
            r.put("action", e.action());
            r.put("target", e.target());
            r.put("remote", e.remote());
            r.put("outcome", e.outcome());
            r.put("requestId", e.requestId());
        }
        return list;
    }

    // --- JSON

    private static void requireAdmin(Principal c) {
        if (!c.admin()) {
            throw TenancyException.denied("only the registry administrator may do this");
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw TenancyException.invalid(field + " is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw TenancyException.invalid(field + " must be a string");
        }
        return v.textValue();
    }

    private static ObjectNode accountJson(Account a) {
        ObjectNode r = JSON.createObjectNode();
        r.put("name", a.name());
        r.put("created", a.created().toString());
        return r;
    }

    private static ObjectNode namespaceJson(Namespace ns) {
        ObjectNode r = JSON.createObjectNode();
        r.put("name", ns.name());
        r.put("account", ns.account());
        r.put("public", ns.isPublic());
        r.put("created", ns.created().toString());
        return r;
    }

    private static ObjectNode principalJson(Principal p) {
        ObjectNode r = JSON.createObjectNode();
        r.put("kind", p.kind().label);
        r.put("name", p.name());
        r.put("account", p.account());
        r.put("admin", p.admin());
        return r;
    }

    private static ObjectNode apiKeyJson(ApiKey k, Principal owner) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", k.id());
        r.put("owner", owner.kind().label + ":" + owner.name());
        r.put("account", owner.account());
        r.put("description", k.description());
        r.put("created", k.created().toString());
        return r;
    }

    private static ObjectNode policyJson(Policy p) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", p.id());
        r.put("role", p.role().label());
        r.put(p.kind() == Kind.SERVICE ? "serviceId" : "user", p.principal());
        r.put("namespace", p.namespace());
        r.put("repository", p.repository());
        r.put("created", p.created().toString());
        return r;
    }

    private static ObjectNode manifestJson(ManifestRecord m) {
        ObjectNode r = JSON.createObjectNode();
        r.put("repository", m.repository());
        r.put("digest", m.digest().toString());
        r.put("mediaType", m.mediaType());
        r.put("size", m.totalSize());
        r.put("created", m.created().toString());
        r.put("pushed", m.pushed().toString());
        if (m.configDigest() != null) {
            r.put("config", m.configDigest().toString());
        }
        if (m.artifactType() != null) {
            r.put("artifactType", m.artifactType());
        }
        return r;
    }
}
