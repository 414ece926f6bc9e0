package io.slipway.gitops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * A bare repository whose first commit on {@code main} is a folder's tree, such as the example
 * GitOps repository, as a team's would be: what the pipeline tests deploy into.
 */
public final class SeededRepository {
    private SeededRepository() {
    }

    /**
     * @param edit applied to the text of every file on the way (a registry host to put in the
     *             values), or null to copy the bytes as they are
     */
    public static Path create(Path bare, Path tree, UnaryOperator<String> edit) throws IOException, GitAPIException {
        Path work = bare.resolveSibling(bare.getFileName() + "-seed");
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path p : files.toList()) {
                Path to = work.resolve(tree.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (edit == null) {
                    Files.copy(p, to);
                } else {
                    Files.writeString(to, edit.apply(Files.readString(p)));
                }
            }
        }
        Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
        try (Git repo = Git.init().setInitialBranch("main").setDirectory(work.toFile()).call()) {
            repo.add().addFilepattern(".").call();
            repo.commit().setMessage("seed").setAuthor("test", "test@example.com").setCommitter("test", "test@example.com")
                    .setSign(false).call();
            repo.push().setRemote(bare.toUri().toString()).add("main").call();
        }
        return bare;
    }
}
