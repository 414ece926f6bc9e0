package io.slipway.gitops;

import io.slipway.helm.render.RenderCheck;
import io.slipway.helm.render.RenderCheckException;
import io.slipway.helm.render.RenderCheckProcess;
import io.slipway.helm.render.RenderedImage;
import io.slipway.helm.values.ImageFinder;
import io.slipway.helm.values.ImageKeys;
import io.slipway.helm.values.ImageShape;
import io.slipway.helm.values.ImageUpdate;
import io.slipway.helm.values.ImageValues;
import io.slipway.helm.values.ValuesException;
import io.slipway.helm.values.ValuesFile;
import io.slipway.oci.Reference;
import io.slipway.oci.files.WorkspacePaths;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes images into the Helm values of one environment of a GitOps repository and pushes the
 * commit, JGit style: configure with setters, then {@link #call()}.
 *
 * <pre>{@code
 * UpdateResult r = GitOpsUpdate.in("https://git.example.com/team/deploy.git")
 *         .credentials(GitCredentials.token(token))
 *         .values("envs/dev/values.yaml")
 *         .image("registry.example.com/team/app:1.4@sha256:…")
 *         .buildUrl(System.getenv("BUILD_URL"))
 *         .call();
 * }</pre>
 *
 * Steps: clone (shallow) or update the work folder; edit the values file in place; render the
 * chart and check every image of the repository is the new reference; commit with trailers; push
 * and check every ref update. When the branch moved meanwhile, fetch, reset to the new head,
 * re-apply the edit and push again, a bounded number of times with random back-off. An update
 * whose values already hold the images makes no commit.
 */
public final class GitOpsUpdate {
    private static final Logger LOG = LoggerFactory.getLogger(GitOpsUpdate.class);
    private static final int DEFAULT_MAX_ATTEMPTS = 20;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final String url;
    private String branch = "main";
    private String valuesPath;
    private final List<Request> images = new ArrayList<>();
    private GitCredentials credentials = GitCredentials.none();
    private Path workFolder;
    private String chart;
    private boolean renderCheck = true;
    private RenderCheckProcess renderProcess;
    private final List<String> renderValues = new ArrayList<>();
    private String environment;
    private String messageTemplate = CommitMessage.DEFAULT_TEMPLATE;
    private String buildUrl;
    private PersonIdent author = new PersonIdent("Slipway", "slipway@localhost");
    private boolean pullRequest;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private IntConsumer beforePush = attempt -> { };

    private GitOpsUpdate(String url) {
        this.url = Objects.requireNonNull(url, "repository URL");
    }

    /** An update of the GitOps repository at {@code url} (https://, ssh://, git://, file://). */
    public static GitOpsUpdate in(String url) {
        return new GitOpsUpdate(url);
    }

    public GitOpsUpdate branch(String name) {
        this.branch = name;
        return this;
    }

    /** The values file to edit, relative to the repository root, e.g. {@code envs/dev/values.yaml}. */
    public GitOpsUpdate values(String path) {
        this.valuesPath = path;
        return this;
    }

    /**
     * The image, written where {@link ImageFinder} finds it: marker comments naming it, else the one
     * image key whose repository has its name; none or several are refused.
     */
    public GitOpsUpdate image(String reference) {
        return image(null, parse(null, reference), (ImageKeys) null);
    }

    public GitOpsUpdate image(Reference reference) {
        return image(null, reference, (ImageKeys) null);
    }

    /**
     * One of several images: {@code alias} names it in markers and messages (null: its repository's
     * last name), {@code keys} the keys to write (null: found as {@link #image(String)} does).
     */
    public GitOpsUpdate image(String alias, String reference, ImageKeys keys) {
        return image(alias, parse(alias, reference), keys);
    }

    public GitOpsUpdate image(String alias, Reference reference, ImageKeys keys) {
        images.add(new Request(alias, reference, null, keys));
        return this;
    }

    /** The images and keys as the user gave them ({@link ImageRequest#parse}). */
    public GitOpsUpdate images(List<io.slipway.helm.values.ImageRequest> requests) {
        for (io.slipway.helm.values.ImageRequest r : requests) {
            image(r.alias(), r.reference(), r.keys());
        }
        return this;
    }

    /** One of several images, named by {@code alias}, written in exactly {@code shape}. */
    public GitOpsUpdate image(String alias, String reference, ImageShape shape) {
        return image(alias, parse(alias, reference), shape);
    }

    public GitOpsUpdate image(String alias, Reference reference, ImageShape shape) {
        images.add(new Request(alias, reference, Objects.requireNonNull(shape), null));
        return this;
    }

    private static Reference parse(String alias, String reference) {
        try {
            return Reference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new ValuesException(ValuesException.Reason.INVALID_REFERENCE, (alias == null ? "" : alias + ": ") + e.getMessage());
        }
    }

    /** An image to write: a shape given, or keys (or nothing) to find it by. */
    private record Request(String alias, Reference reference, ImageShape shape, ImageKeys keys) {
        ImageUpdate resolve(ImageFinder finder) {
            if (shape != null) {
                return new ImageUpdate(alias == null ? ImageFinder.defaultAlias(reference) : alias, reference, shape);
            }
            return finder.locate(alias, reference, keys);
        }
    }

    public GitOpsUpdate credentials(GitCredentials value) {
        this.credentials = Objects.requireNonNull(value);
        return this;
    }

    /** A folder kept between updates (cloned on first use); by default a new temporary folder. */
    public GitOpsUpdate workFolder(Path dir) {
        this.workFolder = dir;
        return this;
    }

    /** The chart to render, relative to the repository root; by default the one above the values file. */
    public GitOpsUpdate chart(String path) {
        this.chart = path;
        return this;
    }

    /** More values files for the render, in Helm order before the edited one (e.g. a common file). */
    public GitOpsUpdate renderValues(String... paths) {
        renderValues.addAll(List.of(paths));
        return this;
    }

    /**
     * Render in a child JVM instead of this one (see {@link RenderCheckProcess}): what a long-lived
     * JVM such as a Jenkins agent does, so that Helm never loads into it.
     */
    public GitOpsUpdate renderIn(RenderCheckProcess process) {
        this.renderProcess = Objects.requireNonNull(process);
        return this;
    }

    public GitOpsUpdate skipRenderCheck() {
        this.renderCheck = false;
        return this;
    }

    /** The environment's name for messages and branch names; by default the values file's folder. */
    public GitOpsUpdate environment(String name) {
        this.environment = name;
        return this;
    }

    /** Commit subject template; see {@link CommitMessage} for the placeholders. */
    public GitOpsUpdate message(String template) {
        this.messageTemplate = Objects.requireNonNull(template);
        return this;
    }

    public GitOpsUpdate buildUrl(String value) {
        this.buildUrl = value;
        return this;
    }

    public GitOpsUpdate author(String name, String email) {
        this.author = new PersonIdent(name, email);
        return this;
    }

    /** Push to {@code slipway/<env>/<repository>-<short digest>} instead of the branch, for review. */
    public GitOpsUpdate pullRequest(boolean enabled) {
        this.pullRequest = enabled;
        return this;
    }

    public GitOpsUpdate maxAttempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.maxAttempts = attempts;
        return this;
    }

    /** Test seam: runs after each commit, before its push (a test pushes a competing commit here). */
    GitOpsUpdate beforePush(IntConsumer hook) {
        this.beforePush = hook;
        return this;
    }

    public UpdateResult call() {
        if (valuesPath == null || images.isEmpty()) {
            throw new IllegalStateException("values(…) and at least one image(…) are required");
        }
        Path temporary = null;
        try {
            Path dir = workFolder;
            if (dir == null) {
                temporary = Files.createTempDirectory("slipway-gitops-");
                dir = temporary.resolve("work");
            }
            Files.createDirectories(dir.toAbsolutePath().getParent());
            // One update per work folder at a time, across processes too (a CI agent may run several jobs).
            try (FileChannel lockFile = FileChannel.open(dir.resolveSibling(dir.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lock(lockFile, dir);
                 WorkFolder folder = WorkFolder.open(dir, url, branch, credentials)) {
                return update(folder);
            }
        } catch (IOException e) {
            throw new GitOpsException("GitOps update of " + url + " failed: " + e.getMessage(), e);
        } catch (GitAPIException e) {
            throw new GitOpsException("git failed on " + url + ": " + e.getMessage(), e);
        } finally {
            if (temporary != null) {
                deleteTree(temporary);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the temporary work folder {}: {}", root, e.getMessage());
        }
    }

    private UpdateResult update(WorkFolder folder) throws IOException, GitAPIException {
        String env = environment != null ? environment : defaultEnvironment(valuesPath);
        String target = pullRequest ? pullRequestBranch(env) : branch;
        for (int attempt = 1; ; attempt++) {
            if (attempt > 1) {
                folder.syncToRemote();
            }
            Path root = folder.root().toRealPath();
            Path file = inClone(root, valuesPath, "values file");
            if (!Files.isRegularFile(file)) {
                throw new GitOpsException("branch " + branch + " of " + url + " has no file " + valuesPath);
            }
            // The file edited is the one committed: a link inside the repository commits its target.
            String gitPath = root.relativize(file).toString().replace('\\', '/');
            ImageValues.Edit edit;
            List<ImageUpdate> resolved;
            try {
                ValuesFile values = ValuesFile.read(file);
                ImageFinder finder = new ImageFinder(values, chartDefaults(root, file));
                resolved = new ArrayList<>();
                for (Request r : images) {
                    resolved.add(r.resolve(finder));
                }
                edit = ImageValues.write(values, resolved);
            } catch (ValuesException e) {
                throw new ValuesException(e.reason(), valuesPath + ": " + e.getMessage());
            }
            Git git = folder.git();
            if (!edit.changed()) {
                String head = git.getRepository().resolve(Constants.HEAD).name();
                LOG.info("{} already holds {}; nothing to commit", valuesPath, images.get(0).reference());
                return new UpdateResult(UpdateResult.Status.UNCHANGED, head, branch, attempt - 1, List.of(), List.of(), resolved);
            }
            edit.file().write(file);
            List<RenderedImage> rendered = render(folder, file, resolved);
            git.add().addFilepattern(gitPath).call();
            RevCommit commit = git.commit()
                    .setMessage(new CommitMessage(messageTemplate, buildUrl).render(env, valuesPath, resolved))
                    .setAuthor(author)
                    .setCommitter(author)
                    .setOnly(gitPath)
                    .call();
            beforePush.accept(attempt);
            var push = git.push()
                    .setRemote(Constants.DEFAULT_REMOTE_NAME)
                    .setRefSpecs(new RefSpec("HEAD:" + Constants.R_HEADS + target).setForceUpdate(pullRequest));
            credentials.applyTo(push, url);
            PushOutcome outcome = PushOutcome.of(push.call());
            switch (outcome.kind()) {
                case ACCEPTED -> {
                    LOG.info("pushed {} to {} of {} ({})", commit.abbreviate(12).name(), target, url, edit.changes());
                    return new UpdateResult(UpdateResult.Status.PUSHED, commit.name(), target, attempt, edit.changes(), rendered, resolved);
                }
                case REFUSED -> throw new GitOpsException("the remote refused the push to " + target + ": " + outcome.detail());
                case RACED -> {
                    if (attempt >= maxAttempts) {
                        throw new GitOpsException("branch " + target + " of " + url + " kept moving; gave up after "
                                + attempt + " pushes");
                    }
                    LOG.debug("push {} to {} lost a race; re-applying on the new head", attempt, target);
                    backOff(attempt);
                }
            }
        }
    }

    /** The chart's own values.yaml, read with the edited file to find image keys; null when unknown or the same file. */
    private ValuesFile chartDefaults(Path root, Path file) throws IOException {
        Path chartDir = chart != null ? inClone(root, chart, "chart") : RenderCheck.findChart(root, file).orElse(null);
        if (chartDir == null) {
            return null;
        }
        Path defaults = chartDir.resolve("values.yaml");
        if (!Files.isRegularFile(defaults) || Files.isSameFile(defaults, file)) {
            return null;
        }
        return ValuesFile.read(defaults);
    }

    private List<RenderedImage> render(WorkFolder folder, Path file, List<ImageUpdate> resolved) throws GitAPIException, IOException {
        if (!renderCheck) {
            return List.of();
        }
        Path root = folder.root().toRealPath();
        Path chartDir = chart != null ? inClone(root, chart, "chart")
                : RenderCheck.findChart(root, file).orElseThrow(() -> new RenderCheckException("no Chart.yaml at or above "
                        + valuesPath + "; name the chart (--chart DIR) or skip the render check"));
        List<Path> values = new ArrayList<>();
        for (String extra : renderValues) {
            values.add(inClone(root, extra, "values file"));
        }
        values.add(file);
        try {
            RenderCheck check = RenderCheck.chart(chartDir)
                    .valuesFiles(values)
                    .expect(resolved.stream().map(ImageUpdate::reference).toList());
            return renderProcess != null ? renderProcess.run(check) : check.run();
        } catch (RenderCheckException e) {
            folder.discardChanges();
            throw new RenderCheckException(e.getMessage().replace(root.toString() + "/", ""), e);
        }
    }

    /**
     * A path of the clone by its real path (WorkspacePaths): a values file committed as a symbolic link out of the
     * repository ({@code values.yaml -> /etc/shadow}) would otherwise be read, edited and pushed.
     */
    private static Path inClone(Path root, String path, String what) {
        try {
            return WorkspacePaths.resolve(root, path, what);
        } catch (WorkspacePaths.OutsideWorkspaceException e) {
            throw new GitOpsException(e.getMessage().replace(" the workspace ", " the repository "));
        } catch (IOException e) {
            throw new GitOpsException("cannot read " + what + " " + path + ": " + e.getMessage());
        }
    }

    private String pullRequestBranch(String env) {
        Reference first = images.get(0).reference();
        String repository = first.repository();
        String name = "slipway/" + env + "/" + repository.substring(repository.lastIndexOf('/') + 1)
                + "-" + CommitMessage.shortDigest(first);
        if (!Repository.isValidRefName(Constants.R_HEADS + name)) {
            throw new GitOpsException("cannot make a valid branch name from " + name);
        }
        return name;
    }

    static String defaultEnvironment(String valuesPath) {
        Path p = Path.of(valuesPath);
        Path parent = p.getParent();
        if (parent != null) {
            return parent.getFileName().toString();
        }
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static FileLock lock(FileChannel channel, Path dir) throws IOException {
        try {
            return channel.lock();
        } catch (OverlappingFileLockException e) {
            throw new GitOpsException("work folder " + dir + " is in use by another update in this process");
        }
    }

    private static void backOff(int attempt) {
        long ceiling = Math.min(MAX_BACKOFF_MILLIS, 50L << Math.min(attempt, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling / 4, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitOpsException("interrupted while retrying the push");
        }
    }
}
