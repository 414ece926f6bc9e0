package io.slipway.registry.clients;

import io.slipway.testing.RegistryHttp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jib Core against a real registry: an image built from scratch, then a second image built on it
 * and pushed to another repository of the same namespace, whose base layers must be mounted
 * across repositories instead of sent again. Jib talks to the registry through a
 * {@link RecordingProxy}, so what it sent is known request by request.
 */
class JibPushTest {

    @TempDir
    Path tmp;

    @Test
    void pushesScratchImageThenDerivedImageMountingTheBaseLayers() throws Exception {
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withAuth("none")
                .withListen("127.0.0.1:0").withDataDir(tmp.resolve("data")));
                RecordingProxy proxy = new RecordingProxy(server.uri())) {
            RegistryHttp http = new RegistryHttp(server.uri());
            String registry = proxy.hostAndPort();
            List<LogEvent> log = new CopyOnWriteArrayList<>();

            // --- the base, from scratch, two layers of files made here
            Path files = Files.createDirectories(tmp.resolve("files"));
            Path greeting = Files.writeString(files.resolve("greeting.txt"), "hello from the base layer\n");
            byte[] data = new byte[300_000];
            new Random(42).nextBytes(data);
            Path dataFile = Files.write(files.resolve("data.bin"), data);
            Path launcher = Files.writeString(files.resolve("run.sh"), "#!/bin/sh\necho running\n");
            FileEntriesLayer libraries = FileEntriesLayer.builder().setName("libraries")
                    .addEntry(greeting, AbsoluteUnixPath.get("/opt/demo/lib/greeting.txt"))
                    .addEntry(dataFile, AbsoluteUnixPath.get("/opt/demo/lib/data.bin"))
                    .build();
            FileEntriesLayer bin = FileEntriesLayer.builder().setName("launcher")
                    .addEntry(launcher, AbsoluteUnixPath.get("/opt/demo/bin/run.sh"), FilePermissions.fromOctalString("755"))
                    .build();

            JibContainer base = Jib.fromScratch()
                    .addFileEntriesLayer(libraries)
                    .addFileEntriesLayer(bin)
                    .setEntrypoint("/opt/demo/bin/run.sh")
                    .addLabel("io.slipway.test", "base")
                    .containerize(containerizer(Containerizer.to(RegistryImage.named(registry + "/team/base:1")),
                            "base", log));
            assertThat(base.isImagePushed()).isTrue();

            JsonNode baseManifest = verifyImage(http, "team/base", "1", base.getDigest().toString());
            List<String> baseLayers = digests(baseManifest.get("layers"));
            assertThat(baseLayers).hasSize(2);

            // --- the same build again: reproducible, and nothing is uploaded twice
            proxy.clear();
            JibContainer again = Jib.fromScratch()
                    .addFileEntriesLayer(libraries)
                    .addFileEntriesLayer(bin)
                    .setEntrypoint("/opt/demo/bin/run.sh")
                    .addLabel("io.slipway.test", "base")
                    .containerize(containerizer(Containerizer.to(RegistryImage.named(registry + "/team/base:1")),
                            "base-again", log));
            assertThat(again.getDigest()).isEqualTo(base.getDigest());
            assertThat(proxy.exchanges()).as("a re-push of an unchanged image starts no upload")
                    .noneMatch(e -> e.path().startsWith("/v2/team/base/blobs/uploads"));

            // --- the app, FROM the base, one more layer, to another repository of the namespace
            proxy.clear();
            Path appFile = Files.writeString(files.resolve("app.properties"), "greeting=hello from the app\n");
            FileEntriesLayer appLayer = FileEntriesLayer.builder().setName("app")
                    .addEntry(appFile, AbsoluteUnixPath.get("/opt/demo/app.properties"))
                    .build();
            JibContainer app = Jib.from(RegistryImage.named(registry + "/team/base:1"))
                    .addFileEntriesLayer(appLayer)
                    .setFormat(ImageFormat.OCI)
                    .addLabel("io.slipway.test", "app")
                    .containerize(containerizer(Containerizer.to(RegistryImage.named(registry + "/team/app:1")),
                            "app", log));
            assertThat(app.isImagePushed()).isTrue();
            List<RecordingProxy.Exchange> appPush = proxy.exchanges();

            JsonNode appManifest = verifyImage(http, "team/app", "1", app.getDigest().toString());
            assertThat(appManifest.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
            List<String> appLayers = digests(appManifest.get("layers"));
            assertThat(appLayers).hasSize(3);
            assertThat(appLayers.subList(0, 2)).as("the base layers, in order, under the app layer")
                    .containsExactlyElementsOf(baseLayers);
            JsonNode baseConfig = RegistryHttp.json(http.blob("team/base",
                    baseManifest.at("/config/digest").asText()).body());
            JsonNode appConfig = RegistryHttp.json(http.blob("team/app",
                    appManifest.at("/config/digest").asText()).body());
            assertThat(digests(appConfig.at("/rootfs/diff_ids")).subList(0, 2))
                    .containsExactlyElementsOf(digests(baseConfig.at("/rootfs/diff_ids")));
            assertThat(appConfig.at("/config/Labels/io.slipway.test").asText()).isEqualTo("app");

            // --- the base layers were mounted from team/base, never sent again
            String described = String.join("\n", appPush.stream().map(Object::toString).toList());
            for (String layer : baseLayers) {
                assertThat(appPush).as("a cross-repository mount of %s that the registry accepted (201)", layer)
                        .anySatisfy(e -> {
                            assertThat(e.method()).isEqualTo("POST");
                            assertThat(e.path()).isEqualTo("/v2/team/app/blobs/uploads/");
                            assertThat(query(e)).containsEntry("mount", layer).containsEntry("from", "team/base");
                            assertThat(e.status()).isEqualTo(201);
                        });
                assertThat(appPush).as("no upload of %s completed in team/app", layer)
                        .noneSatisfy(e -> {
                            assertThat(e.path()).startsWith("/v2/team/app/blobs/uploads/");
                            assertThat(query(e).get("digest")).isEqualTo(layer);
                        });
            }
            long uploaded = appPush.stream()
                    .filter(e -> e.path().startsWith("/v2/team/app/blobs/uploads"))
                    .mapToLong(RecordingProxy.Exchange::requestBytes)
                    .sum();
            long expected = appManifest.at("/layers/2/size").asLong() + appManifest.at("/config/size").asLong();
            assertThat(uploaded).as("blob bytes sent to team/app: only the new layer and the config\n%s", described)
                    .isEqualTo(expected);
            long baseLayerBytes = baseManifest.at("/layers/0/size").asLong() + baseManifest.at("/layers/1/size").asLong();
            assertThat(baseLayerBytes).as("the base layers are big enough for a re-send to be visible")
                    .isGreaterThan(expected);

            // --- pull back with Jib (which checks every blob's digest) into an OCI layout tarball
            Path tar = tmp.resolve("app.tar");
            Jib.from(RegistryImage.named(registry + "/team/app:1"))
                    .setFormat(ImageFormat.OCI)
                    .containerize(containerizer(Containerizer.to(TarImage.at(tar).named("team/app:pulled")),
                            "pull", log));
            Map<String, byte[]> entries;
            try (InputStream in = Files.newInputStream(tar)) {
                entries = Tar.readFiles(in);
            }
            for (String layer : appLayers) {
                String name = "blobs/sha256/" + layer.substring("sha256:".length());
                assertThat(entries).as("layer %s in the pulled image, entries %s", layer, entries.keySet())
                        .containsKey(name);
                assertThat(RegistryHttp.sha256(entries.get(name))).isEqualTo(layer);
                assertThat(entries.get(name)).isEqualTo(http.blob("team/app", layer).body());
            }
        }
    }

    private Containerizer containerizer(Containerizer to, String build, List<LogEvent> log) {
        return to.setAllowInsecureRegistries(true)
                .setToolName("slipway-client-tests")
                .setBaseImageLayersCache(tmp.resolve("jib-cache/" + build + "/base"))
                .setApplicationLayersCache(tmp.resolve("jib-cache/" + build + "/app"))
                .addEventHandler(LogEvent.class, log::add);
    }

    /**
     * Reads the manifest by tag over plain HTTP, checks its digest against the one the client
     * reported, and checks every blob it references: readable in the repository, of the declared
     * size, and hashing to its digest.
     */
    private static JsonNode verifyImage(RegistryHttp http, String repository, String tag, String reportedDigest)
            throws Exception {
        HttpResponse<byte[]> response = http.manifest(repository, tag);
        assertThat(response.statusCode()).as(RegistryHttp.text(response)).isEqualTo(200);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(reportedDigest);
        assertThat(RegistryHttp.sha256(response.body())).isEqualTo(reportedDigest);
        HttpResponse<byte[]> byDigest = http.manifest(repository, reportedDigest);
        assertThat(byDigest.statusCode()).isEqualTo(200);
        assertThat(byDigest.body()).isEqualTo(response.body());

        JsonNode manifest = RegistryHttp.json(response.body());
        List<JsonNode> blobs = new ArrayList<>();
        blobs.add(manifest.get("config"));
        manifest.get("layers").forEach(blobs::add);
        for (JsonNode descriptor : blobs) {
            String digest = descriptor.get("digest").asText();
            HttpResponse<byte[]> blob = http.blob(repository, digest);
            assertThat(blob.statusCode()).as("GET blob %s in %s", digest, repository).isEqualTo(200);
            assertThat((long) blob.body().length).isEqualTo(descriptor.get("size").asLong());
            assertThat(RegistryHttp.sha256(blob.body())).isEqualTo(digest);
            assertThat(blob.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        }
        return manifest;
    }

    private static List<String> digests(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.isTextual() ? n.asText() : n.get("digest").asText()));
        return list;
    }

    private static Map<String, String> query(RecordingProxy.Exchange exchange) {
        Map<String, String> params = new HashMap<>();
        for (String pair : exchange.query().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}
