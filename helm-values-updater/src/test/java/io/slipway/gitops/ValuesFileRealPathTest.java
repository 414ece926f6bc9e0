package io.slipway.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A values file is judged by its real path inside the clone (WorkspacePaths): one committed as a symbolic link out of
 * the repository is refused, and the file it points at is neither read into the commit nor written.
 */
class ValuesFileRealPathTest {
    @TempDir
    Path tmp;

    @Test
    void aValuesFileLinkedOutOfTheRepositoryIsRefused() throws Exception {
        Path outside = Files.writeString(tmp.resolve("outside.yaml"), TestRepos.DEV_VALUES);
        Path bare = TestRepos.seed(tmp.resolve("deploy.git"), java.util.Map.of());
        Path work = tmp.resolve("seed-link");
        try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(work.toFile()).call()) {
            Path link = work.resolve(GitOpsUpdateTest.DEV);
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, outside);
            git.add().addFilepattern(".").call();
            git.commit().setMessage("link").setAuthor("Seed", "seed@localhost").setCommitter("Seed", "seed@localhost").call();
            git.push().call();
        }
        String head = TestRepos.head(bare, "main");
        assertThatThrownBy(() -> GitOpsUpdate.in(bare.toUri().toString()).values(GitOpsUpdateTest.DEV)
                .workFolder(tmp.resolve("work")).image(GitOpsUpdateTest.IMAGE).call())
                .isInstanceOf(GitOpsException.class)
                .hasMessageContaining("values file " + GitOpsUpdateTest.DEV + " is outside the repository")
                .hasMessageContaining("symbolic link to " + outside.toRealPath());
        assertThat(Files.readString(outside)).isEqualTo(TestRepos.DEV_VALUES);
        assertThat(TestRepos.head(bare, "main")).isEqualTo(head);
    }
}
