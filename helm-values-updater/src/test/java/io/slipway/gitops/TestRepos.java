package io.slipway.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Bare GitOps repositories for tests, seeded with a chart and environments, and read back directly. */
final class TestRepos {
    static final Path CHART = Paths.get("src/test/resources/charts/app");
    static final String DEV_VALUES = "# dev environment\nimage:\n  repository: reg.example.com/team/app\n  tag: 0.1.0 # set by the pipeline\n  digest: \"\"\n";

    private TestRepos() {
    }

    /** A bare repository whose main branch holds {@code charts/app} and {@code files}. */
    static Path seed(Path bare, Map<String, String> files) throws IOException, GitAPIException {
        Path work = Files.createTempDirectory("seed-");
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            copyTree(CHART, work.resolve("charts/app"));
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = work.resolve(f.getKey());
                Files.createDirectories(p.getParent() == null ? work : p.getParent());
                Files.writeString(p, f.getValue());
            }
            git.add().addFilepattern(".").call();
            git.commit().setMessage("seed").setAuthor("Seed", "seed@localhost").setCommitter("Seed", "seed@localhost").call();
            try (Git server = Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call()) {
                // no background gc racing the temporary folder's deletion
                var config = server.getRepository().getConfig();
                config.setInt("gc", null, "auto", 0);
                config.setBoolean("receive", null, "autogc", false);
                config.save();
            }
            git.push().setRemote(bare.toUri().toString()).add("main").call();
        }
        return bare;
    }

    static Path seedDefault(Path bare) throws IOException, GitAPIException {
        return seed(bare, Map.of("charts/app/envs/dev/values.yaml", DEV_VALUES,
                "charts/app/envs/prod/values.yaml", DEV_VALUES.replace("dev", "prod")));
    }

    static String read(Path bare, String branch, String path) throws IOException {
        try (Repository repo = open(bare); RevWalk walk = new RevWalk(repo)) {
            ObjectId head = repo.resolve("refs/heads/" + branch);
            RevCommit commit = walk.parseCommit(head);
            try (TreeWalk tree = TreeWalk.forPath(repo, path, commit.getTree())) {
                ObjectLoader loader = repo.open(tree.getObjectId(0));
                return new String(loader.getBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    static List<RevCommit> log(Path bare, String branch) throws IOException, GitAPIException {
        try (Repository repo = open(bare); Git git = new Git(repo)) {
            List<RevCommit> out = new ArrayList<>();
            git.log().add(repo.resolve("refs/heads/" + branch)).call().forEach(out::add);
            return out;
        }
    }

    static String head(Path bare, String branch) throws IOException {
        try (Repository repo = open(bare)) {
            ObjectId id = repo.resolve("refs/heads/" + branch);
            return id == null ? null : id.name();
        }
    }

    static Repository open(Path bare) throws IOException {
        return new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }
}
