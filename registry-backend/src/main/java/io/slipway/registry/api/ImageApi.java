package io.slipway.registry.api;

import static io.slipway.registry.api.Bodies.JSON;
import static io.slipway.registry.api.ManagementRoute.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.registry.config.RegistryNames;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.metadata.ImageRow;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.signatures.SignatureService;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/** Images: the listing (with security status), inspect, and tag (signatures travel along); image-rm is LifecycleApi's. */
public final class ImageApi implements ManagementArea {
    private final MetadataStore metadata;
    private final ManifestService manifests;
    private final SignatureService signatures;
    private final Supplier<RegistryNames> names;
    private final CallerAccess access;
    private final VaApi va;

    ImageApi(MetadataStore metadata, ManifestService manifests, Supplier<RegistryNames> names, CallerAccess access,
            VaApi va) {
        this.metadata = metadata;
        this.manifests = manifests;
        this.signatures = new SignatureService(metadata);
        this.names = names;
        this.access = access;
        this.va = va;
    }

    @Override
    public List<ManagementRoute> routes() {
        return List.of(
                route("GET", "/images", call -> images(call.caller(), call.query("restrict"), call.flag("va"))),
                route("GET", "/images/inspect", call -> inspect(call.caller(), call.query("image"))),
                route("POST", "/images/tag",
                        call -> tag(call.caller(), required(call.body(), "source"), required(call.body(), "target"))));
        // DELETE /images (image-rm) moves the image to the trash: LifecycleApi.
    }

    private static String required(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || !v.isTextual()) {
            throw TenancyException.invalid(field + " is required");
        }
        return v.textValue();
    }

    /** The image listing; with {@code va}, each row carries its security status. */
    public JsonNode images(Principal c, String restrict, boolean withStatus) {
        String prefix = null;
        if (restrict != null && !restrict.isBlank()) {
            prefix = restrict.contains("/") ? restrict : restrict + "/";
        }
        ArrayNode list = JSON.createArrayNode();
        String current = withStatus ? va.currentDatabaseVersion() : null;
        java.util.Map<String, Boolean> pullable = new java.util.HashMap<>(); // one IAM decision per repository
        for (ImageRow row : metadata.images(prefix)) {
            if (restrict != null && restrict.contains("/") && !row.repository().equals(restrict)
                    && !row.repository().startsWith(restrict + "/")) {
                continue;
            }
            if (!pullable.computeIfAbsent(row.repository(), repository -> access.can(c, repository, Action.PULL))) {
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
            r.put("kind", row.kind().label());
            r.put("created", row.created().toString());
            r.put("size", row.size());
            if (withStatus) {
                r.put("securityStatus", va.securityStatus(row.repository(), row.tag(), row.digest(), 0, current));
            }
        }
        return list;
    }

    /**
     * One page of the console's image listing: the images (a digest with all its tags) of the
     * repositories the caller may pull, under {@code namespace} when given, as {@link #images} decides
     * them, but filtered, sorted and cut into pages by the database.
     */
    public MetadataStore.ImagePage page(Principal c, String namespace, String search, String sort, boolean ascending,
            int offset, int limit, int countAtMost) {
        return metadata.imagePage(listing(c, namespace, search, sort, ascending, offset, limit), countAtMost);
    }

    /** How many images {@link #page} lists in all under {@code namespace} (null: every one), no search. */
    public int count(Principal c, String namespace) {
        return metadata.imageCount(listing(c, namespace, null, "created", false, 0, 0));
    }

    private MetadataStore.ImageQuery listing(Principal c, String namespace, String search, String sort,
            boolean ascending, int offset, int limit) {
        String prefix = namespace == null ? null : namespace + "/";
        java.util.Map<String, Long> all = metadata.repositoryIds(prefix);
        java.util.function.Predicate<String> pullable = access.pullable(c);
        List<Long> allowed = all.entrySet().stream().filter(e -> pullable.test(e.getKey())).map(java.util.Map.Entry::getValue)
                .toList();
        // Only the administrator (who pulls everything) is trusted with the prefix alone: anyone else's page
        // names the repositories decided here, so one created meanwhile is not shown undecided.
        boolean everything = c != null && c.admin() && allowed.size() == all.size();
        return new MetadataStore.ImageQuery(prefix, everything ? null : allowed, search, sort, ascending, offset, limit);
    }

    /** What is attached to the images of a page (signatures, attestations, SBOMs, referrers). */
    public List<MetadataStore.Attachment> attachments(List<MetadataStore.ImageGroup> images) {
        java.util.Map<Long, List<Digest>> byRepository = new java.util.HashMap<>();
        images.forEach(i -> byRepository.computeIfAbsent(i.repositoryId(), k -> new java.util.ArrayList<>()).add(i.digest()));
        return metadata.attachments(byRepository);
    }

    public JsonNode inspect(Principal c, String image) throws IOException {
        ImageName name = ImageName.parse(image, names);
        ManifestService.Found found = access.image(c, name, Action.PULL);
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
        access.requireImage(c, from.repository(), Action.PULL);
        access.requireImage(c, to.repository(), Action.PUSH);
        try {
            ManifestService.Pushed pushed = manifests.copy(from.repository(), from.reference(), to.repository(), to.tag());
            signatures.copy(from.repository(), pushed.digest(), to.repository());
            copyCosignSignatures(from.repository(), pushed.digest(), to.repository());
            ObjectNode r = JSON.createObjectNode();
            r.put("source", from.toString());
            r.put("target", to.repository() + ":" + to.tag());
            r.put("digest", pushed.digest().toString());
            return r;
        } catch (OciError e) {
            // The storage lifecycle's refusal (an immutable tag, a quota) says so; anything else answers as missing.
            throw e.code() == io.slipway.oci.ErrorCode.DENIED ? TenancyException.denied(e.getMessage())
                    : TenancyException.notFound(e.getMessage());
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
        r.put("kind", io.slipway.oci.ArtifactKind.of(m.mediaType(), m.artifactType()).label());
        return r;
    }
}
