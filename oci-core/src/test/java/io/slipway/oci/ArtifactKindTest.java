package io.slipway.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one classification of manifests: what the scanner queues and what listings call each. */
class ArtifactKindTest {
    static final Digest A = Digest.sha256("a");
    static final Digest B = Digest.sha256("b");

    static Manifest manifest(String config, String layerType, String layerAnnotations) {
        return Manifest.parse("""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "config":{"mediaType":"%s","digest":"%s","size":2},
                 "layers":[{"mediaType":"%s","digest":"%s","size":10,"annotations":%s}]}
                """.formatted(config, A, layerType, B, layerAnnotations).getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void aTektonBundleIsKnownByItsLayersAnnotationsAndRecordedAsSuch() {
        Manifest bundle = manifest(MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER_TAR_GZIP, """
                {"dev.tekton.image.apiVersion":"v1","dev.tekton.image.kind":"task","dev.tekton.image.name":"slipway-gate"}""");
        assertThat(ArtifactKind.of(bundle)).isEqualTo(ArtifactKind.TEKTON_BUNDLE);
        // What the metadata keeps (media type, effective artifact type) says the same.
        assertThat(bundle.effectiveArtifactType()).isEqualTo(ArtifactKind.TEKTON_BUNDLE_TYPE);
        assertThat(ArtifactKind.of(bundle.mediaType(), bundle.effectiveArtifactType())).isEqualTo(ArtifactKind.TEKTON_BUNDLE);
        assertThat(ArtifactKind.TEKTON_BUNDLE.label()).isEqualTo("tekton-bundle");

        // One annotation missing: not a bundle, an image like any other.
        Manifest partial = manifest(MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER_TAR_GZIP, """
                {"dev.tekton.image.kind":"task","dev.tekton.image.name":"slipway-gate"}""");
        assertThat(ArtifactKind.of(partial)).isEqualTo(ArtifactKind.IMAGE);
        assertThat(partial.effectiveArtifactType()).isEqualTo(MediaTypes.OCI_CONFIG);
    }

    @Test
    void imagesChartsSignaturesAndOtherArtifacts() {
        assertThat(ArtifactKind.of(manifest(MediaTypes.DOCKER_CONFIG, "application/vnd.docker.image.rootfs.diff.tar.gzip", "{}")))
                .isEqualTo(ArtifactKind.IMAGE);
        assertThat(ArtifactKind.of(manifest(ArtifactKind.HELM_CONFIG,
                "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "{}"))).isEqualTo(ArtifactKind.HELM_CHART);
        // An image config over layers no package scanner reads (cosign's old signatures): an artifact.
        assertThat(ArtifactKind.of(manifest(MediaTypes.OCI_CONFIG, "application/vnd.dev.cosign.simplesigning.v1+json", "{}")))
                .isEqualTo(ArtifactKind.ARTIFACT);
        assertThat(ArtifactKind.of(MediaTypes.OCI_MANIFEST, "application/vnd.dev.cosign.artifact.sig.v1+json"))
                .isEqualTo(ArtifactKind.SIGNATURE);
        assertThat(ArtifactKind.of(MediaTypes.OCI_INDEX, null)).isEqualTo(ArtifactKind.INDEX);
        assertThat(ArtifactKind.of(MediaTypes.OCI_MANIFEST, null)).isEqualTo(ArtifactKind.ARTIFACT);
        assertThat(ArtifactKind.of(MediaTypes.OCI_MANIFEST, "application/vnd.example+json")).isEqualTo(ArtifactKind.ARTIFACT);
    }
}
