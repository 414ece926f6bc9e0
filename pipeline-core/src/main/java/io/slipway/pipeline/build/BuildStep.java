package io.slipway.pipeline.build;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.Ports;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.FilePermissionsProvider;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import io.slipway.oci.Digest;
import io.slipway.oci.InvalidNameException;
import io.slipway.oci.Reference;
import io.slipway.oci.files.WorkspacePaths;
import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.ProgressListener;
import io.slipway.pipeline.RegistryAccess;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Builds an image with Jib Core from a {@link BuildFile} and pushes it to the registry with the
 * step's credentials. Layer caches live in one directory kept between runs, so a rebuild with only
 * the application changed pushes only that layer.
 */
public final class BuildStep {
    /**
     * The build's inputs: where to push ({@code ns/repo[:tag]} below the registry), extra tags, cache, and the
     * workspace every layer source must stay inside by real path ({@link WorkspacePaths}: a symbolic link in the
     * build context to a file elsewhere is refused, not copied into the image). A null workspace is only for images
     * Slipway assembles itself (the release and demo images, a {@code --jar} the user named).
     */
    public record Input(BuildFile buildFile, String image, List<String> extraTags, Path cacheDir, Path workspace) {
        public Input {
            if (buildFile == null || image == null) {
                throw new IllegalArgumentException("build needs a build file and a target image");
            }
            extraTags = extraTags == null ? List.of() : List.copyOf(extraTags);
        }

        /** An image Slipway assembles itself from files it chose: no workspace to hold them to. */
        public Input(BuildFile buildFile, String image, List<String> extraTags, Path cacheDir) {
            this(buildFile, image, extraTags, cacheDir, null);
        }
    }

    /** What was pushed: the image by digest, and every tag that now points at it. */
    public record Result(PinnedImage image, Set<String> tags) {
        /** {@code host:port/ns/repo@sha256:…}, the full reference a deploy writes. */
        public String reference(String registryHost) {
            return registryHost + "/" + image;
        }
    }

    private static final FilePermissions EXECUTABLE = FilePermissions.fromOctalString("755");

    private final RegistryAccess access;
    private final ProgressListener progress;

    public BuildStep(RegistryAccess access, ProgressListener progress) {
        this.access = access;
        this.progress = progress;
    }

    public Result run(Input input) throws IOException, InterruptedException {
        Reference target = target(input.image());
        String tag = target.tag() == null ? "latest" : target.tag();
        requireTransportAllowed(access);
        if (input.workspace() != null) {
            for (BuildFile.Layer layer : input.buildFile().layers()) {
                for (BuildFile.Copy copy : layer.files()) {
                    WorkspacePaths.requireTreeInside(input.workspace(), copy.src(), "layer " + layer.name() + ": source");
                }
            }
        }
        if (access.isLoopbackHttp()) {
            // Jib refuses to send credentials over plain HTTP unless told; only for this machine.
            System.setProperty("sendCredentialsOverHttp", "true");
        }
        String name = access.host() + "/" + target.repository() + ":" + tag;
        try {
            Containerizer containerizer = Containerizer.to(credentials(RegistryImage.named(name)))
                    // Jib's "insecure" means plain HTTP and unverified HTTPS alike: only for a registry on this machine.
                    .setAllowInsecureRegistries(access.isLoopbackHttp())
                    .setToolName("slipway")
                    .addEventHandler(LogEvent.class, e -> {
                        if (e.getLevel() == LogEvent.Level.LIFECYCLE || e.getLevel() == LogEvent.Level.PROGRESS) {
                            progress.line(e.getMessage());
                        }
                    });
            containerizer.addEventHandler(com.google.cloud.tools.jib.event.events.ProgressEvent.class,
                    new com.google.cloud.tools.jib.event.progress.ProgressEventHandler(new Percent(progress)));
            for (String t : input.extraTags()) {
                containerizer.withAdditionalTag(t);
            }
            if (input.cacheDir() != null) {
                containerizer.setApplicationLayersCache(input.cacheDir().resolve("application"))
                        .setBaseImageLayersCache(input.cacheDir().resolve("base"));
            }
            progress.line("building " + name);
            JibContainer container = builder(input.buildFile()).containerize(containerizer);
            Digest digest = Digest.parse(container.getDigest().toString());
            Set<String> tags = new LinkedHashSet<>(List.of(tag));
            tags.addAll(input.extraTags());
            progress.line("pushed " + access.host() + "/" + target.repository() + "@" + digest);
            return new Result(new PinnedImage(target.repository(), digest), tags);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("invalid image reference: " + e.getMessage());
        } catch (CacheDirectoryCreationException e) {
            throw new IOException("cannot create the layer cache: " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (RegistryException e) {
            throw new io.slipway.oci.client.RegistryException(0, "push refused: " + e.getMessage());
        }
    }

    /**
     * Writes the image of a build file from scratch (no base to pull) as an image tarball instead
     * of pushing it: {@code skopeo copy oci-archive:…} or {@code docker load} take it to any
     * registry or engine. Returns the image's manifest digest.
     */
    public static Digest writeTarball(BuildFile file, String imageName, Path tarball) throws IOException, InterruptedException {
        if (file.from() != null) {
            throw new IllegalArgumentException("a tarball is written only for images from scratch");
        }
        try {
            JibContainer container = new BuildStep(new RegistryAccess("http://127.0.0.1", null, null), ProgressListener.NONE)
                    .builder(file).containerize(Containerizer.to(
                            com.google.cloud.tools.jib.api.TarImage.at(tarball).named(imageName)).setToolName("slipway"));
            return Digest.parse(container.getDigest().toString());
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("invalid image name: " + e.getMessage());
        } catch (CacheDirectoryCreationException | RegistryException e) {
            throw new IOException("cannot write the image: " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new IOException("cannot write the image: " + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
    }

    /**
     * Jib's progress, aggregated over its tasks, as one line per tenth: enough for a CI log to
     * show that a long push moves, without a line per chunk.
     */
    static final class Percent implements java.util.function.Consumer<com.google.cloud.tools.jib.event.progress.ProgressEventHandler.Update> {
        private final ProgressListener listener;
        private int lastTenth = -1;

        Percent(ProgressListener listener) {
            this.listener = listener;
        }

        @Override
        public synchronized void accept(com.google.cloud.tools.jib.event.progress.ProgressEventHandler.Update update) {
            int tenth = (int) Math.floor(update.getProgress() * 10 + 1e-9);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                listener.line("progress " + tenth * 10 + "%" + (update.getUnfinishedLeafTasks().isEmpty() ? ""
                        : " (" + String.join(", ", update.getUnfinishedLeafTasks()) + ")"));
            }
        }
    }

    /** The build target ({@code ns/repo[:tag]}), refused when it names a digest: a build makes the digest. */
    public static Reference target(String image) {
        try {
            Reference r = Reference.parse(image);
            if (r.digest() != null) {
                throw new IllegalArgumentException("build target " + image + " must not name a digest");
            }
            return r;
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /**
     * Plain HTTP only to a registry on this machine (CredentialPolicy's loopback rule): anywhere else the push, and
     * the layers and credentials with it, would cross the network readable and unauthenticated.
     */
    static void requireTransportAllowed(RegistryAccess access) {
        if (access.url().startsWith("http://") && !access.isLoopbackHttp()) {
            throw new IllegalArgumentException("the registry " + access.url() + " is plain HTTP and not on this machine: "
                    + "the build pushes over https:// only (plain http:// only to " + RegistryAccess.LOOPBACK_HOSTS + ")");
        }
    }

    private RegistryImage credentials(RegistryImage image) {
        return access.user() == null ? image : image.addCredential(access.user(), access.secret());
    }

    /** The step's credentials go to its own registry only, never to the registry of a base image elsewhere. */
    private RegistryImage credentialsIfHome(String image) throws InvalidImageReferenceException {
        com.google.cloud.tools.jib.api.ImageReference ref = com.google.cloud.tools.jib.api.ImageReference.parse(image);
        RegistryImage named = RegistryImage.named(ref);
        return ref.getRegistry().equalsIgnoreCase(access.host()) ? credentials(named) : named;
    }

    private IOException unwrap(ExecutionException e) {
        Throwable c = e.getCause();
        while (c != null && c.getCause() != null && !(c instanceof ConnectException)) {
            if (c instanceof com.google.cloud.tools.jib.api.RegistryUnauthorizedException) {
                break;
            }
            c = c.getCause();
        }
        if (c instanceof ConnectException) {
            return new io.slipway.oci.client.RegistryUnreachableException("cannot reach the registry at " + access.url(), c);
        }
        if (c instanceof com.google.cloud.tools.jib.api.RegistryUnauthorizedException) {
            return new io.slipway.oci.client.RegistryException(401, "the registry refused the push: " + c.getMessage());
        }
        String message = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
        return new IOException("build failed: " + message, e);
    }

    JibContainerBuilder builder(BuildFile file) throws IOException, InvalidImageReferenceException {
        JibContainerBuilder b = file.from() == null ? Jib.fromScratch() : Jib.from(credentialsIfHome(base(file.from())));
        b.setFormat("OCI".equals(file.format()) ? ImageFormat.OCI : ImageFormat.Docker);
        if (!file.platforms().isEmpty()) {
            b.setPlatforms(file.platforms().stream()
                    .map(p -> new com.google.cloud.tools.jib.api.buildplan.Platform(p.architecture(), p.os()))
                    .collect(Collectors.toCollection(LinkedHashSet::new)));
        }
        b.setCreationTime(file.creationTime() == null ? Instant.EPOCH : file.creationTime());
        if (!file.environment().isEmpty()) {
            b.setEnvironment(file.environment());
        }
        if (!file.labels().isEmpty()) {
            b.setLabels(file.labels());
        }
        if (!file.volumes().isEmpty()) {
            b.setVolumes(file.volumes().stream().map(AbsoluteUnixPath::get).collect(Collectors.toCollection(LinkedHashSet::new)));
        }
        if (!file.exposedPorts().isEmpty()) {
            try {
                b.setExposedPorts(Ports.parse(file.exposedPorts()));
            } catch (NumberFormatException e) {
                throw new InvalidBuildFileException("exposedPorts: " + e.getMessage());
            }
        }
        if (file.user() != null) {
            b.setUser(file.user());
        }
        if (file.workingDirectory() != null) {
            b.setWorkingDirectory(AbsoluteUnixPath.get(file.workingDirectory()));
        }
        if (file.entrypoint() != null) {
            b.setEntrypoint(file.entrypoint());
        }
        if (file.cmd() != null) {
            b.setProgramArguments(file.cmd());
        }
        for (BuildFile.Layer layer : file.layers()) {
            b.addFileEntriesLayer(layer(layer));
        }
        return b;
    }

    /** A base named without a host is looked up in this registry: no public registry is reachable here. */
    private String base(String from) {
        Reference r = Reference.parse(from);
        return r.registry() == null ? access.host() + "/" + from : from;
    }

    static FileEntriesLayer layer(BuildFile.Layer layer) throws IOException {
        FileEntriesLayer.Builder b = FileEntriesLayer.builder().setName(layer.name());
        FilePermissionsProvider permissions = (source, dest) -> {
            boolean dir = Files.isDirectory(source);
            String given = dir ? layer.directoryPermissions() : layer.filePermissions();
            if (given != null) {
                return FilePermissions.fromOctalString(given);
            }
            // Jib would write 644 for everything; a binary copied in must stay runnable.
            return dir || Files.isExecutable(source) ? EXECUTABLE : FilePermissions.DEFAULT_FILE_PERMISSIONS;
        };
        for (BuildFile.Copy copy : layer.files()) {
            if (!Files.exists(copy.src())) {
                throw new InvalidBuildFileException("layer " + layer.name() + ": no such file " + copy.src());
            }
            b.addEntryRecursive(copy.src(), AbsoluteUnixPath.get(copy.dest()), permissions);
        }
        return b.build();
    }
}
