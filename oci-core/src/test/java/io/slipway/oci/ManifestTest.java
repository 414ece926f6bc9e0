package io.slipway.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestTest {
    static final Digest A = Digest.sha256("a");
    static final Digest B = Digest.sha256("b");

    static Manifest parse(String json, String contentType) {
        return Manifest.parse(json.getBytes(StandardCharsets.UTF_8), contentType);
    }

    @Test
    void imageManifestWithSubjectAndArtifactType() {
        Manifest m = parse("""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "artifactType":"application/vnd.example+json",
                 "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},
                 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":10,
                            "annotations":{"k":"v"}},
                           {"mediaType":"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                            "digest":"%s","size":5,"urls":["https://example.com/x"]}],
                 "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":7},
                 "annotations":{"org.opencontainers.image.created":"2024-01-01T00:00:00Z"}}
                """.formatted(A, B, A, B), null);
        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.effectiveArtifactType()).isEqualTo("application/vnd.example+json");
        assertThat(m.subject().digest()).isEqualTo(B);
        assertThat(m.layers()).hasSize(2);
        assertThat(m.layers().get(0).annotations()).containsEntry("k", "v");
        // The non-distributable layer need not be in the registry.
        assertThat(m.requiredBlobs()).extracting(Descriptor::digest).containsExactly(A, B);
    }

    @Test
    void indexAndMediaTypeFromStructureOrHeader() {
        String index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":3,"
                .formatted(MediaTypes.OCI_MANIFEST, A) + "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}";
        assertThat(parse(index, null).mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        Manifest list = parse(index, MediaTypes.DOCKER_MANIFEST_LIST + "; charset=utf-8");
        assertThat(list.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(list.manifests().get(0).platform().architecture()).isEqualTo("arm64");
        assertThat(list.isIndex()).isTrue();
    }

    @Test
    void refusesWhatARegistryCannotTrust() {
        String config = "{\"mediaType\":\"a/b\",\"digest\":\"%s\",\"size\":1}".formatted(A);
        for (String bad : new String[] {
            "",
            "null",
            "{\"schemaVersion\":2}",
            "{\"schemaVersion\":\"2\",\"config\":" + config + ",\"layers\":[]}",
            "{\"schemaVersion\":2,\"config\":" + config + ",\"layers\":[" + config.replace("\"size\":1", "\"size\":1.5") + "]}",
            "{\"schemaVersion\":2,\"config\":" + config.replace(A.toString(), "sha256:xyz") + ",\"layers\":[]}",
            "{\"schemaVersion\":2,\"config\":" + config.replace("a/b", "not a type") + ",\"layers\":[]}",
            "{\"schemaVersion\":2,\"config\":" + config + ",\"layers\":[],\"annotations\":{\"k\":1}}",
            "{\"schemaVersion\":2,\"config\":" + config + ",\"config\":" + config + ",\"layers\":[]}",
            "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"manifests\":[]}",
        }) {
            assertThatThrownBy(() -> parse(bad, null)).as(bad).isInstanceOf(InvalidManifestException.class);
        }
        String ok = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + config
                + ",\"layers\":[]}";
        assertThatThrownBy(() -> parse(ok, MediaTypes.OCI_INDEX)).hasMessageContaining("does not match");
    }
}
