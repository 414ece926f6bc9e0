package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.metadata.ImageRow;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Retention: keep the newest N images (by push time) of every repository of a namespace and move
 * the rest, with their tags, to the {@link Trash}; and {@code image-prune-untagged}, which moves the
 * untagged ones. Both go through {@link Trash#move}, so an image holding an immutable tag is refused
 * exactly as {@code image-rm} would be: it stays and is reported.
 *
 * <p>What is not an image of its own is never counted nor pruned apart from its subject: OCI
 * referrers (a manifest with a {@code subject}), cosign's companions (tags {@code sha256-<hex>.sig},
 * {@code .att}, {@code .sbom}) and the child manifests of an index in the same repository. They stay
 * when their subject goes to the trash, so a restored image finds its signatures where they were.
 */
public final class Retention {
    private static final Pattern COSIGN_TAG = Pattern.compile("sha256-[0-9a-f]{64}\\.(sig|att|sbom)");

    private final LifecycleStore store;
    private final MetadataStore metadata;
    private final Trash trash;
    private final Lifecycle guard;

    /** One image a run looked at: trashed (or would be, dry), or kept because a rule refused it. */
    public record Outcome(String repository, Digest digest, List<String> tags, Instant pushed, String refusal) {
    }

    /** What a run did (or, dry, would do): the images moved to the trash and those an immutable tag kept. */
    public record Report(String namespace, boolean dryRun, int kept, List<Outcome> trashed, List<Outcome> refused) {
    }

    Retention(LifecycleStore store, MetadataStore metadata, Trash trash, Lifecycle guard) {
        this.store = store;
        this.metadata = metadata;
        this.trash = trash;
        this.guard = guard;
    }

    /** Keeps the newest {@code images} of each repository (all untagged ones too when {@code retainUntagged}). */
    public Report run(long accountId, String namespace, long images, boolean retainUntagged, boolean dryRun, String by) {
        return apply(accountId, namespace, dryRun, by, (candidates) -> {
            List<Image> doomed = new ArrayList<>();
            long kept = 0;
            for (Image i : candidates) { // newest first
                if (retainUntagged && i.tags().isEmpty()) {
                    continue;
                }
                if (kept < images) {
                    kept++;
                } else {
                    doomed.add(i);
                }
            }
            return doomed;
        });
    }

    /** Moves every untagged image of the namespace to the trash. */
    public Report pruneUntagged(long accountId, String namespace, boolean dryRun, String by) {
        return apply(accountId, namespace, dryRun, by,
                candidates -> candidates.stream().filter(i -> i.tags().isEmpty()).toList());
    }

    /** The daily run: every namespace's policy, for the account that still owns the namespace. */
    public List<Report> runPolicies() {
        List<Report> reports = new ArrayList<>();
        for (LifecycleStore.RetentionPolicy p : store.retentionPolicies()) {
            Optional<Long> owner = store.accountOfNamespace(p.namespace());
            if (owner.isPresent() && owner.get() == p.accountId()) {
                reports.add(run(p.accountId(), p.namespace(), p.images(), p.retainUntagged(), false, "retention"));
            }
        }
        return reports;
    }

    private record Image(String repository, Digest digest, List<String> tags, Instant pushed) {
    }

    private interface Selection {
        List<Image> doomed(List<Image> newestFirst);
    }

    private Report apply(long accountId, String namespace, boolean dryRun, String by, Selection selection) {
        List<Outcome> trashed = new ArrayList<>();
        List<Outcome> refused = new ArrayList<>();
        int kept = 0;
        for (Map.Entry<String, List<Image>> repo : imagesByRepository(namespace).entrySet()) {
            List<Image> doomed = selection.doomed(repo.getValue());
            kept += repo.getValue().size() - doomed.size();
            for (Image i : doomed) {
                Outcome o = new Outcome(i.repository(), i.digest(), i.tags(), i.pushed(), null);
                try {
                    if (dryRun) {
                        guard.beforeManifestDelete(i.repository(), i.digest()); // the judgement alone
                    } else {
                        trash.move(accountId, i.repository(), i.digest(), by);
                    }
                    trashed.add(o);
                } catch (OciError e) {
                    if (e.code() == ErrorCode.MANIFEST_UNKNOWN) {
                        continue; // removed meanwhile by someone else: nothing to do
                    }
                    if (e.code() != ErrorCode.DENIED) {
                        throw e;
                    }
                    kept++;
                    refused.add(new Outcome(i.repository(), i.digest(), i.tags(), i.pushed(), e.getMessage()));
                }
            }
        }
        return new Report(namespace, dryRun, kept, List.copyOf(trashed), List.copyOf(refused));
    }

    /** The images of each repository of the namespace, newest push first; companions left out. */
    private Map<String, List<Image>> imagesByRepository(String namespace) {
        Map<String, Map<Digest, List<String>>> tagsOf = new LinkedHashMap<>();
        for (ImageRow row : metadata.images(namespace + "/")) {
            List<String> tags = tagsOf.computeIfAbsent(row.repository(), r -> new LinkedHashMap<>())
                    .computeIfAbsent(row.digest(), d -> new ArrayList<>());
            if (row.tag() != null) {
                tags.add(row.tag());
            }
        }
        Map<String, List<Image>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Digest, List<String>>> repo : tagsOf.entrySet()) {
            List<ManifestRecord> records = new ArrayList<>();
            Set<String> children = new HashSet<>(); // digests an index of the repository references
            for (Digest d : repo.getValue().keySet()) {
                metadata.manifest(repo.getKey(), d).ifPresent(m -> {
                    records.add(m);
                    children.addAll(store.references(repo.getKey(), d));
                });
            }
            List<Image> images = new ArrayList<>();
            for (ManifestRecord m : records) {
                List<String> tags = repo.getValue().get(m.digest());
                boolean companion = m.subject() != null || children.contains(m.digest().toString())
                        || (!tags.isEmpty() && tags.stream().allMatch(t -> COSIGN_TAG.matcher(t).matches()));
                if (!companion) {
                    images.add(new Image(repo.getKey(), m.digest(), List.copyOf(tags), m.pushed()));
                }
            }
            images.sort(Comparator.comparing(Image::pushed, Comparator.nullsLast(Comparator.reverseOrder()))
                    .thenComparing(i -> i.digest().toString()));
            out.put(repo.getKey(), images);
        }
        return out;
    }
}
