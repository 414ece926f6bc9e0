package io.slipway.gitops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;

/**
 * A local clone of one branch of the GitOps repository, shallow (depth 1: an update needs the
 * files, not the history), kept between updates: the first use clones, later ones fetch the
 * branch and reset to it, dropping anything a failed update left behind.
 */
final class WorkFolder implements AutoCloseable {
    private static final String REMOTE = Constants.DEFAULT_REMOTE_NAME;

    private final Git git;
    private final String branch;
    private final GitCredentials credentials;

    private WorkFolder(Git git, String branch, GitCredentials credentials) {
        this.git = git;
        this.branch = branch;
        this.credentials = credentials;
    }

    static WorkFolder open(Path dir, String url, String branch, GitCredentials credentials) throws IOException, GitAPIException {
        if (Files.isDirectory(dir.resolve(".git"))) {
            Git git = Git.open(dir.toFile());
            String existing = git.getRepository().getConfig().getString("remote", REMOTE, "url");
            if (!sameUrl(existing, url)) {
                git.close();
                throw new GitOpsException("work folder " + dir + " is a clone of " + existing + ", not " + url);
            }
            WorkFolder folder = new WorkFolder(git, branch, credentials);
            folder.syncToRemote();
            return folder;
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new GitOpsException("work folder " + dir + " is not empty and not a git clone");
                }
            }
        }
        var clone = Git.cloneRepository()
                .setURI(url)
                .setDirectory(dir.toFile())
                .setBranch(branch)
                .setBranchesToClone(List.of(Constants.R_HEADS + branch))
                .setCloneAllBranches(false)
                .setDepth(1);
        credentials.applyTo(clone, url);
        Git git = clone.call();
        if (git.getRepository().resolve(Constants.R_REMOTES + REMOTE + "/" + branch) == null) {
            git.close();
            throw new GitOpsException("the remote " + url + " has no branch " + branch);
        }
        return new WorkFolder(git, branch, credentials);
    }

    Git git() {
        return git;
    }

    Path root() {
        return git.getRepository().getWorkTree().toPath();
    }

    /** Fetches the branch and makes the work tree exactly its head. Returns that head. */
    ObjectId syncToRemote() throws GitAPIException, IOException {
        String tracking = Constants.R_REMOTES + REMOTE + "/" + branch;
        var fetch = git.fetch()
                .setRemote(REMOTE)
                .setRefSpecs(new RefSpec("+" + Constants.R_HEADS + branch + ":" + tracking))
                .setDepth(1);
        credentials.applyTo(fetch, git.getRepository().getConfig().getString("remote", REMOTE, "url"));
        fetch.call();
        ObjectId head = git.getRepository().resolve(tracking);
        if (head == null) {
            throw new GitOpsException("the remote has no branch " + branch);
        }
        if (git.getRepository().findRef(Constants.R_HEADS + branch) == null) {
            git.checkout().setCreateBranch(true).setName(branch).setStartPoint(tracking).setForced(true).call();
        } else if (!branch.equals(git.getRepository().getBranch())) {
            git.checkout().setName(branch).setForced(true).call();
        }
        git.reset().setMode(ResetCommand.ResetType.HARD).setRef(tracking).call();
        git.clean().setCleanDirectories(true).setForce(true).setIgnore(false).call();
        return head;
    }

    /** Drops uncommitted edits (after a refused render check, say). */
    void discardChanges() throws GitAPIException {
        git.reset().setMode(ResetCommand.ResetType.HARD).call();
    }

    private static boolean sameUrl(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return new URIish(a).equals(new URIish(b));
        } catch (java.net.URISyntaxException e) {
            return a.equals(b);
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
