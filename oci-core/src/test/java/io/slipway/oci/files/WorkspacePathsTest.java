package io.slipway.oci.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths judged by where they lead: symbolic links out of the workspace and {@code ..} are refused. */
class WorkspacePathsTest {
    @TempDir
    Path dir;

    @Test
    void filesInsideAreResolvedToTheirRealPath() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        Files.writeString(Files.createDirectories(ws.resolve("env/dev")).resolve("values.yaml"), "a: 1\n");
        Files.createSymbolicLink(ws.resolve("dev.yaml"), ws.resolve("env/dev/values.yaml"));
        assertThat(WorkspacePaths.resolve(ws, "env/dev/values.yaml", "values file")).isEqualTo(ws.toRealPath().resolve("env/dev/values.yaml"));
        assertThat(WorkspacePaths.resolve(ws, "dev.yaml", "values file")).isEqualTo(ws.toRealPath().resolve("env/dev/values.yaml"));
        // Not there yet (a cache to be made): judged by the nearest existing folder.
        assertThat(WorkspacePaths.resolve(ws, "cache/jib", "layer cache")).isEqualTo(ws.toRealPath().resolve("cache/jib"));
    }

    @Test
    void aSymbolicLinkOutOfTheWorkspaceIsRefused() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "s3cr3t");
        Files.createSymbolicLink(ws.resolve("values.yaml"), secret);
        Files.createSymbolicLink(ws.resolve("outside"), dir);
        assertThatThrownBy(() -> WorkspacePaths.resolve(ws, "values.yaml", "values file"))
                .isInstanceOf(WorkspacePaths.OutsideWorkspaceException.class)
                .hasMessageContaining("values file values.yaml is outside the workspace")
                .hasMessageContaining("symbolic link to " + secret.toRealPath());
        assertThatThrownBy(() -> WorkspacePaths.resolve(ws, "outside/new-cache", "layer cache"))
                .isInstanceOf(WorkspacePaths.OutsideWorkspaceException.class);
        assertThatThrownBy(() -> WorkspacePaths.resolve(ws, "../secret.txt", "build file"))
                .isInstanceOf(WorkspacePaths.OutsideWorkspaceException.class).hasMessageNotContaining("symbolic");
    }

    @Test
    void aLinkInsideAFolderIsFoundByTheTreeCheck() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        Path app = Files.createDirectories(ws.resolve("app"));
        Files.writeString(app.resolve("run.sh"), "#!/bin/sh\n");
        Files.createSymbolicLink(app.resolve("inside"), app.resolve("run.sh"));
        assertThat(WorkspacePaths.requireTreeInside(ws, app, "layer source")).isEqualTo(app.toRealPath());
        Files.createSymbolicLink(app.resolve("passwd"), Path.of("/etc/passwd"));
        assertThatThrownBy(() -> WorkspacePaths.requireTreeInside(ws, app, "layer source"))
                .isInstanceOf(WorkspacePaths.OutsideWorkspaceException.class).hasMessageContaining("passwd");
        Files.createSymbolicLink(ws.resolve("dangling"), dir.resolve("nothing"));
        assertThatThrownBy(() -> WorkspacePaths.resolve(ws, "dangling", "build file"))
                .isInstanceOf(WorkspacePaths.OutsideWorkspaceException.class).hasMessageContaining("symbolic link to nothing");
    }
}
