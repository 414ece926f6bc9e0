package io.slipway.registry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import static io.slipway.registry.api.ManagementRoute.route;

import io.slipway.oci.ErrorCode;
import io.slipway.registry.lifecycle.Collector;
import io.slipway.registry.lifecycle.Lifecycle;
import io.slipway.registry.lifecycle.LifecycleStore;
import io.slipway.registry.lifecycle.Sizes;
import io.slipway.registry.lifecycle.Trash;
import io.slipway.registry.config.RegistryNames;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The storage lifecycle through the management API: the trash ({@code image-rm} moves an image
 * there, with the repository's delete right; a restore needs push; the listing shows what the caller
 * may pull), immutable-tag rules (a namespace's Managers write them, whoever sees the namespace
 * reads them) and quotas (the administrator sets them, an account's principals read their own). Another account's namespace or account answers exactly
 * like a missing one.
 */
public final class LifecycleApi implements ManagementArea {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCOPE = Pattern.compile("[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

    private final Lifecycle lifecycle;
    private final LifecycleStore store;
    private final MetadataStore metadata;
    private final Supplier<RegistryNames> names;
    private final CallerAccess access;

    LifecycleApi(Lifecycle lifecycle, MetadataStore metadata, Supplier<RegistryNames> names, CallerAccess access) {
        this.lifecycle = lifecycle;
        this.store = lifecycle.store();
        this.metadata = metadata;
        this.names = names;
        this.access = access;
    }

    @Override
    public List<ManagementRoute> routes() {
        return List.of(
                route("DELETE", "/images", call -> trashImage(call.caller(), call.query("image"))),
                route("GET", "/trash", call -> trashList(call.caller(), call.query("namespace"), call.query("account"))),
                route("POST", "/images/restore", call -> restore(call.caller(), text(call.body(), "image", true))),
                route("GET", "/immutable-tags",
                        call -> immutableRules(call.caller(), call.query("namespace"), call.query("account"))),
                route("POST", "/immutable-tags", call -> addImmutableRule(call.caller(), call.body())),
                route("DELETE", "/immutable-tags",
                        call -> deleteImmutableRule(call.caller(), call.query("scope"), call.query("glob"))),
                route("GET", "/quota", call -> quota(call.caller(), call.query("account"))),
                route("POST", "/quota", call -> setQuota(call.caller(), call.body())),
                route("POST", "/gc", call -> collectGarbage(call.caller(), call.body())),
                route("GET", "/retention-policies",
                        call -> retentionPolicies(call.caller(), call.query("namespace"), call.query("account"))),
                route("POST", "/retention-policies", call -> setRetentionPolicy(call.caller(), call.body())),
                route("POST", "/retention/run", call -> runRetention(call.caller(), call.body(), false)),
                route("POST", "/images/prune-untagged", call -> runRetention(call.caller(), call.body(), true)));
    }

    // --- retention

    /** {@code retention-policy-set --images N [--retain-untagged] NAMESPACE} (the namespace's Managers). */
    public JsonNode setRetentionPolicy(Principal c, JsonNode body) {
        String namespace = plainNamespace(text(body, "namespace", true));
        JsonNode images = body == null ? null : body.get("images");
        if (images == null || !images.canConvertToLong() || !images.isIntegralNumber() || images.asLong() < 1) {
            throw TenancyException.invalid("images is the number of images to keep per repository, at least 1");
        }
        JsonNode untagged = body.get("retainUntagged");
        if (untagged != null && !untagged.isBoolean()) {
            throw TenancyException.invalid("retainUntagged is true or false");
        }
        Namespace ns = managedNamespace(c, namespace, "its retention policy");
        store.setRetentionPolicy(new LifecycleStore.RetentionPolicy(ns.accountId(), ns.name(), images.asLong(),
                untagged != null && untagged.asBoolean(), c.subject(), System.currentTimeMillis()));
        return policyJson(store.retentionPolicies(ns.accountId()).stream().filter(p -> p.namespace().equals(ns.name()))
                .findFirst().orElseThrow(), ns.account());
    }

    /** {@code retention-policy-list}: the policies of the namespaces the caller sees (one namespace, or an account's). */
    public JsonNode retentionPolicies(Principal c, String namespace, String account) {
        Owner owner = owner(c, namespace, account);
        long accountId = owner.id();
        String accountName = owner.name();
        ArrayNode list = JSON.createArrayNode();
        for (LifecycleStore.RetentionPolicy p : store.retentionPolicies(accountId)) {
            if (namespace != null && !namespace.equals(p.namespace())) {
                continue;
            }
            Optional<Namespace> ns = access.namespace(p.namespace());
            if (ns.isPresent() && ns.get().accountId() == accountId && (c.admin()
                    || access.authorizer().sees(c, ns.get()) || access.authorizer().managesAccount(c, accountId))) {
                list.add(policyJson(p, accountName));
            }
        }
        return list;
    }

    /**
     * {@code retention-run [--dry-run] NAMESPACE} (the namespace's policy) or {@code image-prune-untagged}
     * ({@code untagged}): the namespace's Managers; what went (or would go) to the trash and what an
     * immutable tag kept.
     */
    public JsonNode runRetention(Principal c, JsonNode body, boolean untagged) {
        String namespace = plainNamespace(text(body, "namespace", true));
        boolean dryRun = body.path("dryRun").asBoolean(false);
        Namespace ns = managedNamespace(c, namespace, untagged ? "its untagged images" : "its retention");
        io.slipway.registry.lifecycle.Retention.Report report;
        if (untagged) {
            report = lifecycle.retention().pruneUntagged(ns.accountId(), ns.name(), dryRun, c.subject());
        } else {
            LifecycleStore.RetentionPolicy p = store.retentionPolicies(ns.accountId()).stream()
                    .filter(x -> x.namespace().equals(ns.name())).findFirst()
                    .orElseThrow(() -> TenancyException.notFound("namespace " + ns.name()
                            + " has no retention policy (set one with retention-policy-set)"));
            report = lifecycle.retention().run(ns.accountId(), ns.name(), p.images(), p.retainUntagged(), dryRun,
                    c.subject());
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("namespace", report.namespace());
        r.put("dryRun", report.dryRun());
        r.put("kept", report.kept());
        ArrayNode trashed = r.putArray("trashed");
        report.trashed().forEach(o -> trashed.add(outcomeJson(o)));
        ArrayNode refused = r.putArray("refused");
        report.refused().forEach(o -> refused.add(outcomeJson(o).put("reason", o.refusal())));
        return r;
    }

    private static String plainNamespace(String namespace) {
        if (namespace.indexOf('/') >= 0) {
            throw TenancyException.invalid("retention applies to a whole namespace: name NAMESPACE, not a repository");
        }
        return namespace;
    }

    private static ObjectNode outcomeJson(io.slipway.registry.lifecycle.Retention.Outcome o) {
        ObjectNode r = JSON.createObjectNode();
        r.put("repository", o.repository());
        r.put("digest", o.digest().toString());
        o.tags().forEach(r.putArray("tags")::add);
        r.put("pushed", String.valueOf(o.pushed()));
        return r;
    }

    private static ObjectNode policyJson(LifecycleStore.RetentionPolicy p, String account) {
        ObjectNode o = JSON.createObjectNode();
        o.put("namespace", p.namespace());
        o.put("images", p.images());
        o.put("retainUntagged", p.retainUntagged());
        o.put("account", account);
        o.put("updatedBy", p.updatedBy());
        o.put("updated", Instant.ofEpochMilli(p.updatedAt()).toString());
        return o;
    }

    // --- garbage collection

    /** {@code slipway registry gc [--dry-run]}: one sweep now (administrator), with what it freed. */
    public JsonNode collectGarbage(Principal c, JsonNode body) {
        if (!c.admin()) {
            throw TenancyException.denied("only the registry administrator collects garbage");
        }
        boolean dryRun = flag(body, "dryRun");
        Collector.Report report = lifecycle.collector().collect(dryRun, flag(body, "walk"));
        ObjectNode r = JSON.createObjectNode();
        r.put("dryRun", report.dryRun());
        r.put("candidates", report.candidates());
        r.put("deleted", report.deleted());
        r.put("blobs", report.blobs());
        r.put("manifests", report.manifests());
        r.put("bytesFreed", report.bytesFreed());
        r.put("bytesFreedText", Sizes.format(report.bytesFreed()));
        if (report.walk() != null) {
            r.putObject("walk").put("stored", report.walk().stored()).put("unknown", report.walk().unknown());
        }
        report.digests().forEach(r.putArray("digests")::add);
        return r;
    }

    /** An optional boolean of the body: absent is false, anything but true or false is refused. */
    private static boolean flag(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        if (v != null && !v.isBoolean()) {
            throw TenancyException.invalid(field + " is true or false");
        }
        return v != null && v.asBoolean();
    }

    // --- trash

    /** {@code image-rm}: the image (by digest, or the one a tag names) goes to the trash with all its tags. */
    public JsonNode trashImage(Principal c, String image) {
        ImageName name = ImageName.parse(image, names);
        access.requireImage(c, name.repository(), Action.DELETE);
        ManifestRecord m = (name.digest() != null ? metadata.manifest(name.repository(), name.digest())
                : metadata.manifestByTag(name.repository(), name.tag()))
                .orElseThrow(() -> TenancyException.notFound("no image " + name));
        LifecycleStore.TrashEntry e;
        try {
            e = lifecycle.trash().move(lifecycle.accountOf(name.repository()).orElse(c.accountId()), name.repository(),
                    m.digest(), c.subject());
        } catch (OciError x) {
            throw refusal(x);
        }
        ObjectNode r = trashJson(e);
        r.put("expires", Instant.ofEpochMilli(e.deletedAt()).plus(lifecycle.trash().retention()).toString());
        return r;
    }

    /** {@code trash-list}: the trash of the caller's account (or a namespace of it), what the caller may pull. */
    public JsonNode trashList(Principal c, String namespace, String account) {
        long accountId;
        if (namespace != null) {
            accountId = access.visibleNamespace(c, namespace).accountId();
        } else {
            accountId = access.account(c, account).id();
        }
        lifecycle.trash().expire(); // an expired entry is never listed, whenever the schedule last ran
        ArrayNode list = JSON.createArrayNode();
        for (LifecycleStore.TrashEntry e : store.trash(accountId)) {
            if (namespace != null && !e.repository().startsWith(namespace + "/")) {
                continue;
            }
            if (access.can(c, e.repository(), Action.PULL)) {
                ObjectNode r = trashJson(e);
                r.put("expires", Instant.ofEpochMilli(e.deletedAt()).plus(lifecycle.trash().retention()).toString());
                list.add(r);
            }
        }
        return list;
    }

    /** {@code image-restore REPO@DIGEST|REPO:TAG}: back from the trash, with the tags no other image took meanwhile. */
    public JsonNode restore(Principal c, String image) throws java.io.IOException {
        ImageName name = ImageName.parse(image, names);
        access.requireImage(c, name.repository(), Action.PUSH);
        lifecycle.trash().expire(); // nor restored
        LifecycleStore.TrashEntry e = lifecycle.trash().find(name.repository(), name.reference())
                .orElseThrow(() -> TenancyException.notFound("no image " + name + " in the trash"));
        Trash.Restored restored;
        try {
            restored = lifecycle.trash().restore(e);
        } catch (OciError x) {
            throw refusal(x);
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("repository", restored.repository());
        r.put("digest", restored.digest().toString());
        restored.tags().forEach(r.putArray("tags")::add);
        restored.skipped().forEach(r.putArray("tagsTakenMeanwhile")::add);
        return r;
    }

    private static ObjectNode trashJson(LifecycleStore.TrashEntry e) {
        ObjectNode r = JSON.createObjectNode();
        r.put("repository", e.repository());
        r.put("digest", e.digest().toString());
        e.tags().forEach(r.putArray("tags")::add);
        r.put("mediaType", e.mediaType());
        r.put("deletedBy", e.deletedBy());
        r.put("deleted", Instant.ofEpochMilli(e.deletedAt()).toString());
        return r;
    }

    /** A refusal of the storage lifecycle (immutable tag, quota) says so; anything else answers as missing. */
    private static TenancyException refusal(OciError e) {
        return e.code() == ErrorCode.DENIED ? TenancyException.denied(e.getMessage())
                : TenancyException.notFound(e.getMessage());
    }

    // --- immutable tags

    public JsonNode addImmutableRule(Principal c, JsonNode body) {
        String scope = scope(text(body, "scope", true));
        String glob = Lifecycle.validGlob(text(body, "glob", true));
        Namespace ns = managedNamespace(c, scope, "its immutable-tag rules");
        store.addRule(ns.accountId(), scope, glob, c.subject());
        return ruleJson(store.rules(ns.accountId()).stream()
                .filter(r -> r.scope().equals(scope) && r.glob().equals(glob)).findFirst().orElseThrow(), ns.account());
    }

    /** The account a listing is for: the one owning {@code namespace} when named, else {@code account} (or the caller's). */
    private record Owner(long id, String name) {
    }

    private Owner owner(Principal c, String namespace, String account) {
        if (namespace != null) {
            Namespace ns = access.visibleNamespace(c, namespace);
            return new Owner(ns.accountId(), ns.account());
        }
        Account a = access.account(c, account);
        return new Owner(a.id(), a.name());
    }

    public JsonNode immutableRules(Principal c, String namespace, String account) {
        Owner owner = owner(c, namespace, account);
        long accountId = owner.id();
        String accountName = owner.name();
        ArrayNode list = JSON.createArrayNode();
        for (LifecycleStore.Rule r : store.rules(accountId)) {
            String ruleNamespace = r.scope().split("/", 2)[0];
            if (namespace != null && !namespace.equals(ruleNamespace)) {
                continue;
            }
            Optional<Namespace> ns = access.namespace(ruleNamespace);
            if (ns.isPresent() && ns.get().accountId() == accountId && (c.admin()
                    || access.authorizer().sees(c, ns.get()) || access.authorizer().managesAccount(c, accountId))) {
                list.add(ruleJson(r, accountName));
            }
        }
        return list;
    }

    public JsonNode deleteImmutableRule(Principal c, String scopeText, String glob) {
        String scope = scope(scopeText);
        Namespace ns = managedNamespace(c, scope, "its immutable-tag rules");
        if (glob == null || !store.deleteRule(ns.accountId(), scope, glob)) {
            throw TenancyException.notFound("no immutable-tag rule " + (glob == null ? "" : "\"" + glob + "\" ")
                    + "on " + scope);
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("scope", scope);
        r.put("glob", glob);
        return r;
    }

    private static String scope(String scope) {
        if (scope == null || scope.length() > 255 || !SCOPE.matcher(scope).matches()) {
            throw TenancyException.invalid("the scope of a rule is NAMESPACE or NAMESPACE/REPOSITORY");
        }
        return scope;
    }

    /** The namespace of {@code scope} when the caller manages it; another account's answers as missing. */
    private Namespace managedNamespace(Principal c, String scope, String what) {
        Namespace ns = access.visibleNamespace(c, scope.split("/", 2)[0]);
        if (!access.authorizer().managesNamespace(c, ns)) {
            throw TenancyException.denied("only a Manager of namespace " + ns.name() + " may change " + what);
        }
        return ns;
    }

    private static ObjectNode ruleJson(LifecycleStore.Rule r, String account) {
        ObjectNode o = JSON.createObjectNode();
        o.put("scope", r.scope());
        o.put("glob", r.glob());
        o.put("account", account);
        o.put("createdBy", r.createdBy());
        o.put("created", Instant.ofEpochMilli(r.createdAt()).toString());
        return o;
    }

    // --- quotas

    public JsonNode quota(Principal c, String account) {
        Account a = access.account(c, account);
        LifecycleStore.Quota q = store.quota(a.id());
        String month = lifecycle.month();
        ObjectNode r = JSON.createObjectNode();
        r.put("account", a.name());
        r.put("month", month);
        usage(r.putObject("storage"), q.storageBytes(), store.storageUsed(a.id()));
        usage(r.putObject("traffic"), q.trafficBytes(), store.traffic(a.id(), month));
        return r;
    }

    /**
     * The storage each namespace of the account (the caller's unless named) uses, as the storage quota
     * counts it ({@link LifecycleStore#storageUsedByNamespace}): the console's Namespaces page shows it.
     */
    public java.util.Map<String, Long> namespaceStorage(Principal c, String account) {
        return store.storageUsedByNamespace(access.account(c, account).id());
    }

    public JsonNode setQuota(Principal c, JsonNode body) {
        Account a = access.account(c, text(body, "account", false));
        if (!c.admin()) {
            throw TenancyException.denied("only the registry administrator sets quotas");
        }
        String storage = text(body, "storage", false);
        String traffic = text(body, "traffic", false);
        if (storage == null && traffic == null) {
            throw TenancyException.invalid("name storage, traffic or both (a size like 500MB, or \"unlimited\")");
        }
        LifecycleStore.Quota old = store.quota(a.id());
        store.setQuota(a.id(), new LifecycleStore.Quota(storage == null ? old.storageBytes() : Sizes.parse(storage),
                traffic == null ? old.trafficBytes() : Sizes.parse(traffic)), c.subject());
        return quota(c, a.name());
    }

    private static void usage(ObjectNode o, Long limit, long used) {
        if (limit == null) {
            o.putNull("limit");
        } else {
            o.put("limit", limit);
        }
        o.put("used", used);
        o.put("limitText", limit == null ? "unlimited" : Sizes.format(limit));
        o.put("usedText", Sizes.format(used));
    }

    private static String text(JsonNode body, String field, boolean required) {
        return Bodies.text(body, field, required);
    }
}
