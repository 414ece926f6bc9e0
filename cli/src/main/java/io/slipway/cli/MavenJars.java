package io.slipway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Finds a released jar the way Maven would, without running Maven: in the local Maven repository
 * first, else in Slipway's own cache, else downloaded from Maven Central into that cache. Every jar
 * is checked against the SHA-256 its caller pins, so neither a tampered cache nor a tampered
 * download is used.
 */
final class MavenJars {
    /** A released artifact and the SHA-256 of its jar. */
    record Artifact(String group, String artifact, String version, String sha256) {
        String path() {
            return group.replace('.', '/') + "/" + artifact + "/" + version + "/" + artifact + "-" + version + ".jar";
        }

        @Override
        public String toString() {
            return group + ":" + artifact + ":" + version;
        }
    }

    /** Where a jar was found: for the demo's output. */
    record Found(Path jar, String from) {
    }

    static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private final Path localRepository;
    private final Path cache;
    private final String remote;

    MavenJars(Path localRepository, Path cache, String remote) {
        this.localRepository = localRepository;
        this.cache = cache;
        this.remote = remote.endsWith("/") ? remote : remote + "/";
    }

    /** Maven's own local repository ({@code maven.repo.local}, else ~/.m2/repository) and Slipway's cache. */
    static MavenJars standard(Path slipwayCache) {
        String local = System.getProperty("maven.repo.local");
        Path repo = local != null ? Path.of(local) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return new MavenJars(repo, slipwayCache, CENTRAL);
    }

    Found resolve(Artifact a) throws IOException {
        for (Path candidate : new Path[] {localRepository.resolve(a.path()), cache.resolve(a.path())}) {
            if (Files.isRegularFile(candidate) && sha256(candidate).equals(a.sha256())) {
                return new Found(candidate, candidate.startsWith(localRepository) ? "local Maven repository" : "cache");
            }
        }
        Path target = cache.resolve(a.path());
        Files.createDirectories(target.getParent());
        Path part = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            download(URI.create(remote + a.path()), part, a);
            String got = sha256(part);
            if (!got.equals(a.sha256())) {
                throw new IOException(a + " from " + remote + " has SHA-256 " + got + ", expected " + a.sha256());
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Found(target, remote);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static void download(URI uri, Path to, Artifact a) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw new IOException("cannot download " + a + ": " + uri + " answered " + r.statusCode());
                }
                Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + a, e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot download")) {
                throw e;
            }
            throw new IOException("cannot download " + a + " from " + uri + " (" + e + "); put it into the local Maven"
                    + " repository with: mvn dependency:get -Dartifact=" + a, e);
        }
    }

    /** Jars are a few MiB: read whole and hashed with oci-core's digest. */
    static String sha256(Path file) throws IOException {
        return io.slipway.oci.Digest.sha256(Files.readAllBytes(file)).hex();
    }
}
