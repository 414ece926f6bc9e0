package io.slipway.tekton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.ArtifactKind;
import io.slipway.oci.Manifest;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Tasks and Pipeline as a Tekton bundle: one layer per resource, each a tar of one file named
 * after it holding its JSON, annotated as the bundle contract asks; the same files give the same
 * digest; the registry's classification calls it a Tekton bundle. (ReleaseIT pushes it and reads it
 * back with oras.)
 */
class TektonBundleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void theDefinitionsMakeAReproducibleBundleAsTknWould() throws Exception {
        List<Path> files;
        try (var list = Files.list(TektonDefinitionsTest.DEFINITIONS)) {
            files = list.sorted().toList();
        }
        TektonBundle bundle = TektonBundle.of(files);
        assertThat(TektonBundle.of(files).digest()).isEqualTo(bundle.digest());
        assertThat(bundle.resources()).extracting(r -> r.kind() + "/" + r.name()).containsExactly("task/slipway-build",
                "task/slipway-deploy", "task/slipway-gate", "pipeline/slipway-pipeline", "task/slipway-promote", "task/slipway-sign");

        Manifest manifest = Manifest.parse(bundle.manifest(), null);
        assertThat(ArtifactKind.of(manifest)).isEqualTo(ArtifactKind.TEKTON_BUNDLE);
        for (int i = 0; i < manifest.layers().size(); i++) {
            var layer = manifest.layers().get(i);
            TektonBundle.Resource r = bundle.resources().get(i);
            assertThat(layer.digest()).isEqualTo(r.digest());
            assertThat(layer.annotations()).containsEntry("dev.tekton.image.apiVersion", "v1")
                    .containsEntry("dev.tekton.image.kind", r.kind()).containsEntry("dev.tekton.image.name", r.name());
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(r.layer())))) {
                TarArchiveEntry entry = tar.getNextEntry();
                assertThat(entry.getName()).isEqualTo(r.name());
                assertThat(entry.getMode() & 0777).isEqualTo(0600);
                JsonNode resource = JSON.readTree(tar.readAllBytes());
                assertThat(resource.path("metadata").path("name").asText()).isEqualTo(r.name());
                assertThat(resource.path("apiVersion").asText()).isEqualTo("tekton.dev/v1");
                assertThat(tar.getNextEntry()).isNull();
            }
        }
    }

    @Test
    void whatIsNoNamedTektonResourceIsRefused() throws Exception {
        Path bad = tmp.resolve("deployment.yaml");
        Files.writeString(bad, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
        assertThatThrownBy(() -> TektonBundle.of(List.of(bad))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a named tekton.dev resource");
        assertThatThrownBy(() -> TektonBundle.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
