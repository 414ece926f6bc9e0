package io.slipway.pipeline.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildFileParserTest {
    @TempDir
    Path dir;

    @Test
    void readsJibCliBuildFileFields() {
        BuildFile f = new BuildFileParser().parse("""
                apiVersion: jib/v1alpha1
                kind: BuildFile
                from:
                  image: acme-dev/base:1
                  platforms:
                    - {architecture: arm64, os: linux}
                creationTime: 1000
                format: OCI
                environment: {A: "1"}
                labels: {team: core}
                volumes: [/data]
                exposedPorts: ["8080", "9000/udp"]
                user: "1000:1000"
                workingDirectory: /app
                entrypoint: [java, -jar, app.jar]
                cmd: [--port, "8080"]
                layers:
                  properties:
                    filePermissions: "640"
                  entries:
                    - name: app
                      properties:
                        directoryPermissions: "750"
                      files:
                        - {src: build/app.jar, dest: /app/app.jar}
                """, dir);
        assertThat(f.from()).isEqualTo("acme-dev/base:1");
        assertThat(f.platforms()).containsExactly(new BuildFile.Platform("arm64", "linux"));
        assertThat(f.creationTime()).isEqualTo(Instant.ofEpochMilli(1000));
        assertThat(f.format()).isEqualTo("OCI");
        assertThat(f.environment()).isEqualTo(Map.of("A", "1"));
        assertThat(f.exposedPorts()).containsExactly("8080", "9000/udp");
        assertThat(f.cmd()).containsExactly("--port", "8080");
        BuildFile.Layer layer = f.layers().get(0);
        assertThat(layer.filePermissions()).isEqualTo("640"); // inherited from layers.properties
        assertThat(layer.directoryPermissions()).isEqualTo("750");
        assertThat(layer.files().get(0).src()).isEqualTo(dir.resolve("build/app.jar"));
    }

    @Test
    void scratchAndDefaults() {
        BuildFile f = new BuildFileParser().parse("apiVersion: jib/v1alpha1\nkind: BuildFile\nfrom: scratch\n", dir);
        assertThat(f.from()).isNull();
        assertThat(f.format()).isEqualTo("Docker");
        assertThat(f.entrypoint()).isNull();
        assertThat(f.layers()).isEmpty();
    }

    @Test
    void badFilesAreRefusedWithTheReason() {
        BuildFileParser p = new BuildFileParser();
        assertThatThrownBy(() -> p.parse("apiVersion: jib/v1alpha1\nkind: BuildFile\nentrypiont: [x]\n", dir))
                .isInstanceOf(InvalidBuildFileException.class).hasMessageContaining("entrypiont");
        assertThatThrownBy(() -> p.parse("apiVersion: v2\nkind: BuildFile\n", dir))
                .hasMessageContaining("jib/v1alpha1");
        assertThatThrownBy(() -> p.parse("apiVersion: jib/v1alpha1\nkind: BuildFile\nformat: tar\n", dir))
                .hasMessageContaining("format");
        assertThatThrownBy(() -> p.parse("apiVersion: jib/v1alpha1\nkind: BuildFile\nlayers:\n  entries:\n"
                + "    - name: a\n      files:\n        - {src: x, dest: relative}\n", dir)).hasMessageContaining("not absolute");
        assertThatThrownBy(() -> p.parse("apiVersion: jib/v1alpha1\nkind: BuildFile\nlayers:\n  properties:\n"
                + "    filePermissions: rwx\n  entries: []\n", dir)).hasMessageContaining("octal");
        assertThatThrownBy(() -> p.parse("a: [unclosed", dir)).isInstanceOf(InvalidBuildFileException.class);
    }

    @Test
    void layersKeepTheExecBitUnlessPermissionsAreGiven() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("run"), "#!/bin/sh\n");
        bin.resolve("run").toFile().setExecutable(true);
        Files.writeString(bin.resolve("README"), "text");
        FileEntriesLayer layer = BuildStep.layer(new BuildFile.Layer("bin",
                List.of(new BuildFile.Copy(bin, "/opt/bin")), null, null));
        Map<String, String> modes = new java.util.TreeMap<>();
        for (FileEntry e : layer.getEntries()) {
            modes.put(e.getExtractionPath().toString(), e.getPermissions().toOctalString());
        }
        assertThat(modes).containsEntry("/opt/bin/run", "755").containsEntry("/opt/bin/README", "644")
                .containsEntry("/opt/bin", "755");
        FileEntriesLayer fixed = BuildStep.layer(new BuildFile.Layer("bin",
                List.of(new BuildFile.Copy(bin, "/opt/bin")), "600", "700"));
        assertThat(fixed.getEntries()).allSatisfy(e -> assertThat(e.getPermissions().toOctalString()).isIn("600", "700"));
        assertThatThrownBy(() -> BuildStep.layer(new BuildFile.Layer("x",
                List.of(new BuildFile.Copy(dir.resolve("missing"), "/x")), null, null)))
                .isInstanceOf(InvalidBuildFileException.class).hasMessageContaining("no such file");
    }
}
