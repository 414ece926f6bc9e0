package io.slipway.pipeline.build;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.files.WorkspacePaths;
import io.slipway.pipeline.ProgressListener;
import io.slipway.pipeline.RegistryAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build step keeps credentials and files home: Jib may speak plain HTTP only to a registry on this machine
 * (its "insecure" switch also turns off certificate checks), and a layer source that is, or holds, a symbolic link
 * out of the workspace is refused before anything is built or sent. Both refusals come before any connection, so
 * the registry address need not answer (192.0.2.1 is TEST-NET-1).
 */
class BuildStepCredentialsTest {
    @TempDir
    Path dir;

    private BuildFile copying(Path ws, String src) {
        return new BuildFileParser().parse("""
                apiVersion: jib/v1alpha1
                kind: BuildFile
                layers:
                  entries:
                    - name: app
                      files:
                        - src: %s
                          dest: /app
                """.formatted(src), ws);
    }

    @Test
    void plainHttpToARegistryOffThisMachineIsRefused() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        Files.writeString(ws.resolve("run.sh"), "#!/bin/sh\n");
        BuildStep step = new BuildStep(RegistryAccess.apiKey("http://192.0.2.1:5000", "slw_secret"), ProgressListener.NONE);
        assertThatThrownBy(() -> step.run(new BuildStep.Input(copying(ws, "run.sh"), "team/app:1", List.of(), null, ws)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the registry http://192.0.2.1:5000 is plain HTTP and not on this machine")
                .hasMessageContaining("https://");
        BuildStep anonymous = new BuildStep(new RegistryAccess("http://registry.example:5000", null, null), ProgressListener.NONE);
        assertThatThrownBy(() -> anonymous.run(new BuildStep.Input(copying(ws, "run.sh"), "team/app:1", List.of(), null, ws)))
                .hasMessageContaining("is plain HTTP and not on this machine");
    }

    @Test
    void aLayerSourceLinkedOutOfTheWorkspaceIsRefused() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        Path secret = Files.writeString(dir.resolve("id_rsa"), "PRIVATE");
        Path app = Files.createDirectories(ws.resolve("app"));
        Files.writeString(app.resolve("run.sh"), "#!/bin/sh\n");
        Files.createSymbolicLink(app.resolve("key"), secret);
        Files.createSymbolicLink(ws.resolve("key"), secret);
        BuildStep step = new BuildStep(RegistryAccess.apiKey("http://127.0.0.1:1", "slw_secret"), ProgressListener.NONE);
        assertThatThrownBy(() -> step.run(new BuildStep.Input(copying(ws, "app"), "team/app:1", List.of(), null, ws)))
                .isInstanceOf(WorkspacePaths.OutsideWorkspaceException.class)
                .hasMessageContaining("layer app: source entry")
                .hasMessageContaining("symbolic link to " + secret.toRealPath());
        assertThatThrownBy(() -> step.run(new BuildStep.Input(copying(ws, "key"), "team/app:1", List.of(), null, ws)))
                .isInstanceOf(WorkspacePaths.OutsideWorkspaceException.class).hasMessageContaining("outside the workspace");
        assertThatThrownBy(() -> step.run(new BuildStep.Input(copying(ws, "../id_rsa"), "team/app:1", List.of(), null, ws)))
                .isInstanceOf(WorkspacePaths.OutsideWorkspaceException.class).hasMessageContaining("outside the workspace");
    }
}
