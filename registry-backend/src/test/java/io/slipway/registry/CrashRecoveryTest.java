package io.slipway.registry;

import static io.slipway.testing.RegistryHttp.location;
import static io.slipway.testing.RegistryHttp.text;
import static io.slipway.testing.RegistryHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import io.slipway.registry.testing.ServerMain;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry process is killed with SIGKILL while several clients upload concurrently, then
 * restarted on the same data: every push that completed reads back bit-exact, every blob file on
 * disk hashes to its name, and every unfinished upload either resumes from the offset the registry
 * reports or is cleanly unknown.
 */
class CrashRecoveryTest {
    private static final int CHUNK = 256 * 1024;
    private static final int CLIENTS = 6;

    /** A blob whose bytes are regenerated from its seed. */
    record Planned(long seed, int size) {
        byte[] bytes() {
            byte[] b = new byte[size];
            new Random(seed).nextBytes(b);
            return b;
        }
    }

    record InFlight(Planned blob, String location) {
    }

    @Test
    void killedDuringConcurrentUploads(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("registry.log");
        Process first = ServerMain.launch(data, log);
        List<Planned> completed = new ArrayList<>();
        Digest taggedManifest;
        ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
        try {
            RegistryHttp http = new RegistryHttp(URI.create("http://127.0.0.1:" + ServerMain.awaitReady(first)));

            // One image that is completely pushed before the crash.
            byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
            byte[] layer = new Planned(999, 100_000).bytes();
            Digest c = http.pushBlob("crash/image", config);
            Digest l = http.pushBlob("crash/image", layer);
            taggedManifest = http.pushManifest("crash/image", "before", MediaTypes.OCI_MANIFEST,
                    Images.imageManifest(c, config.length, l, layer.length));

            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch enough = new CountDownLatch(CLIENTS * 3);
            List<Planned> done = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int client = t;
                Thread thread = new Thread(() -> {
                    Random sizes = new Random(client);
                    for (int i = 0; !stop.get(); i++) {
                        Planned blob = new Planned(client * 10_000L + i, CHUNK + sizes.nextInt(12 * CHUNK));
                        try {
                            upload(http, blob, inFlight);
                            done.add(blob);
                            enough.countDown();
                        } catch (RuntimeException e) {
                            return; // the registry died under us
                        }
                    }
                }, "client-" + t);
                thread.start();
                clients.add(thread);
            }
            assertThat(enough.await(120, TimeUnit.SECONDS)).as("clients completed uploads").isTrue();
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            first.waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            for (Thread thread : clients) {
                thread.join(30_000);
            }
            completed.addAll(done);
        } finally {
            first.destroyForcibly();
        }
        assertThat(completed).hasSizeGreaterThanOrEqualTo(CLIENTS * 3);

        Process second = ServerMain.launch(data, log);
        try {
            RegistryHttp http = new RegistryHttp(URI.create("http://127.0.0.1:" + ServerMain.awaitReady(second)));

            for (Planned blob : completed) {
                byte[] expected = blob.bytes();
                HttpResponse<byte[]> r = http.get("/v2/crash/blobs/blobs/" + Digest.sha256(expected));
                assertThat(r.statusCode()).as("completed blob %s", blob).isEqualTo(200);
                assertThat(r.body()).as("completed blob %s", blob).isEqualTo(expected);
            }
            HttpResponse<byte[]> manifest = http.get("/v2/crash/image/manifests/before");
            assertThat(manifest.statusCode()).isEqualTo(200);
            assertThat(manifest.headers().firstValue("Docker-Content-Digest")).hasValue(taggedManifest.toString());

            int resumed = 0;
            int unknown = 0;
            for (InFlight upload : inFlight.values()) {
                HttpResponse<byte[]> status = http.get(upload.location());
                if (status.statusCode() == 404) {
                    unknown++;
                    continue;
                }
                assertThat(status.statusCode()).as(text(status)).isEqualTo(204);
                long held = heldBytes(status.headers().firstValue("Range").orElseThrow());
                byte[] bytes = upload.blob().bytes();
                assertThat(held).isBetween(0L, (long) bytes.length);
                String loc = location(status);
                Digest d = Digest.sha256(bytes);
                byte[] rest = Arrays.copyOfRange(bytes, (int) held, bytes.length);
                HttpResponse<byte[]> finish = rest.length == 0
                        ? http.put(withQuery(loc, "digest=" + d), rest)
                        : http.put(withQuery(loc, "digest=" + d), rest,
                                "Content-Range", held + "-" + (bytes.length - 1));
                assertThat(finish.statusCode()).as(text(finish)).isEqualTo(201);
                assertThat(http.get("/v2/crash/blobs/blobs/" + d).body()).isEqualTo(bytes);
                resumed++;
            }
            assertThat(resumed + unknown).isEqualTo(inFlight.size());
            System.out.printf("crash test: %d pushes completed before the kill, %d uploads in flight "
                    + "(%d resumed, %d unknown)%n", completed.size(), inFlight.size(), resumed, unknown);
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }

        // Nothing on disk is a blob whose bytes differ from its name.
        try (Stream<Path> files = Files.walk(data.resolve("blobs").resolve("sha256"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(sha256(file)).as(file.toString()).isEqualTo(file.getFileName().toString());
            }
        }
    }

    /** Uploads in chunks, remembering the session while it is open. */
    private static void upload(RegistryHttp http, Planned blob, ConcurrentHashMap<String, InFlight> inFlight) {
        byte[] bytes = blob.bytes();
        String loc = location(http.post("/v2/crash/blobs/blobs/uploads/", new byte[0]));
        String key = loc;
        inFlight.put(key, new InFlight(blob, loc));
        for (int offset = 0; offset < bytes.length; offset += CHUNK) {
            int end = Math.min(bytes.length, offset + CHUNK);
            HttpResponse<byte[]> r = http.patch(loc, Arrays.copyOfRange(bytes, offset, end),
                    "Content-Range", offset + "-" + (end - 1));
            if (r.statusCode() != 202) {
                throw new IllegalStateException(text(r));
            }
            loc = location(r);
            inFlight.put(key, new InFlight(blob, loc));
        }
        HttpResponse<byte[]> done = http.put(withQuery(loc, "digest=" + Digest.sha256(bytes)), new byte[0]);
        if (done.statusCode() != 201) {
            throw new IllegalStateException(text(done));
        }
        inFlight.remove(key);
    }

    private static long heldBytes(String range) {
        long end = Long.parseLong(range.substring(range.indexOf('-') + 1));
        return end == 0 ? 0 : end + 1; // "0-0" is how an empty upload is reported
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
