package io.slipway.oci;

import java.util.Locale;
import java.util.Set;

/**
 * What a stored manifest is, for everything that treats kinds differently: the scanner queues only
 * {@link #IMAGE}s, listings show the kind. The one classification of manifests in Slipway.
 *
 * <p>A Tekton bundle ({@code tkn bundle push}, or {@code slipway release --push}) names no
 * {@code artifactType}: it is an image manifest whose every layer carries the annotations of the
 * Tekton bundle contract ({@code dev.tekton.image.apiVersion}, {@code .kind}, {@code .name}). The
 * registry records such a manifest under {@link #TEKTON_BUNDLE_TYPE}, Slipway's own name for it,
 * so that the kind survives in the metadata without re-reading manifests.
 */
public enum ArtifactKind {
    IMAGE("image"),
    INDEX("index"),
    HELM_CHART("helm-chart"),
    TEKTON_BUNDLE("tekton-bundle"),
    SIGNATURE("signature"),
    ARTIFACT("artifact");

    /** The artifact type Slipway records for a Tekton bundle (the contract itself names none). */
    public static final String TEKTON_BUNDLE_TYPE = "application/vnd.slipway.tekton.bundle.v1";
    public static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    /** The layer annotations of the Tekton bundle contract, as tkn writes them. */
    public static final String TEKTON_API_VERSION = "dev.tekton.image.apiVersion";
    public static final String TEKTON_KIND = "dev.tekton.image.kind";
    public static final String TEKTON_NAME = "dev.tekton.image.name";
    private static final Set<String> IMAGE_CONFIGS = Set.of(MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG);

    private final String label;

    ArtifactKind(String label) {
        this.label = label;
    }

    /** The name listings show: {@code image}, {@code tekton-bundle}, … */
    public String label() {
        return label;
    }

    /**
     * The kind of a parsed manifest: its layers decide between an image, a Tekton bundle and
     * another artifact that keeps an image config (a cosign signature).
     */
    public static ArtifactKind of(Manifest manifest) {
        ArtifactKind recorded = of(manifest.mediaType(), manifest.effectiveArtifactType());
        if (recorded == IMAGE && !manifest.layers().stream().allMatch(l -> MediaTypes.isImageLayer(l.mediaType()))) {
            return ARTIFACT; // an image config over layers a package scanner cannot read
        }
        return recorded;
    }

    /**
     * The kind from what the metadata keeps of a manifest: its media type and its effective artifact
     * type ({@link Manifest#effectiveArtifactType()}, which names a Tekton bundle).
     */
    public static ArtifactKind of(String mediaType, String artifactType) {
        if (MediaTypes.isIndex(mediaType)) {
            return INDEX;
        }
        if (artifactType == null) {
            return ARTIFACT;
        }
        if (TEKTON_BUNDLE_TYPE.equals(artifactType)) {
            return TEKTON_BUNDLE;
        }
        if (HELM_CONFIG.equals(artifactType)) {
            return HELM_CHART;
        }
        if (IMAGE_CONFIGS.contains(artifactType)) {
            return IMAGE;
        }
        String lower = artifactType.toLowerCase(Locale.ROOT);
        return lower.contains("cosign") || lower.contains("signature") ? SIGNATURE : ARTIFACT;
    }

    /** An image manifest with no artifact type, at least one layer, and every layer annotated as a Tekton resource. */
    static boolean isTektonBundle(Manifest manifest) {
        return manifest.artifactType() == null && !manifest.isIndex() && !manifest.layers().isEmpty()
                && manifest.layers().stream().allMatch(l -> l.annotations().containsKey(TEKTON_API_VERSION)
                        && l.annotations().containsKey(TEKTON_KIND) && l.annotations().containsKey(TEKTON_NAME));
    }
}
