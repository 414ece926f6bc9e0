package io.slipway.registry.clients;

import io.slipway.testing.RegistryHttp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo (containers/image) against a real registry: an OCI image layout made here from bytes is
 * copied in, inspected, listed, copied out bit for bit, converted to Docker schema 2 on the way in
 * and read back, and deleted. skopeo runs with a private policy, registries.d, auth file and
 * registries.conf so nothing configured on the machine takes part.
 */
class SkopeoTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    private static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    @TempDir
    Path tmp;

    private SkopeoRunner skopeo;
    private Path work;

    /** The fixture image: every blob by digest, and the manifest's. */
    private final Map<String, byte[]> blobs = new LinkedHashMap<>();
    private String manifestDigest;
    private String configDigest;
    private final List<String> layerDigests = new ArrayList<>();

    @BeforeEach
    void isolateSkopeo() throws IOException {
        skopeo = new SkopeoRunner(tmp.resolve("skopeo"));
        work = skopeo.work();
    }

    @Test
    void copiesInspectsListsConvertsAndDeletes() throws Exception {
        Path layout = writeLayout(tmp.resolve("layout"));
        try (RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withAuth("none")
                .withListen("127.0.0.1:0").withDataDir(tmp.resolve("data")))) {
            RegistryHttp http = new RegistryHttp(server.uri());
            String image = "docker://127.0.0.1:" + server.port() + "/team/skopeo";

            // --- copy the layout in, unchanged
            Path digestFile = work.resolve("pushed.digest");
            skopeo("copy", "--dest-tls-verify=false", "--digestfile", digestFile.toString(),
                    "oci:" + layout + ":v1", image + ":v1");
            assertThat(Files.readString(digestFile).trim()).isEqualTo(manifestDigest);
            HttpResponse<byte[]> stored = http.manifest("team/skopeo", "v1");
            assertThat(stored.statusCode()).as(RegistryHttp.text(stored)).isEqualTo(200);
            assertThat(stored.headers().firstValue("Docker-Content-Digest")).hasValue(manifestDigest);
            assertThat(stored.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
            assertThat(stored.body()).as("the manifest as it was in the layout").isEqualTo(blobs.get(manifestDigest));
            for (String digest : List.of(configDigest, layerDigests.get(0), layerDigests.get(1))) {
                assertThat(http.blob("team/skopeo", digest).body()).as(digest).isEqualTo(blobs.get(digest));
            }

            // --- inspect
            JsonNode inspected = RegistryHttp.json(skopeo("inspect", "--tls-verify=false", image + ":v1")
                    .stdout().getBytes(StandardCharsets.UTF_8));
            assertThat(inspected.get("Digest").asText()).isEqualTo(manifestDigest);
            assertThat(inspected.get("Layers")).extracting(JsonNode::asText).containsExactlyElementsOf(layerDigests);
            assertThat(inspected.get("Architecture").asText()).isEqualTo("amd64");
            assertThat(inspected.get("Os").asText()).isEqualTo("linux");
            assertThat(inspected.at("/Labels/io.slipway.test").asText()).isEqualTo("skopeo");
            assertThat(inspected.get("RepoTags")).extracting(JsonNode::asText).containsExactly("v1");
            String raw = skopeo("inspect", "--tls-verify=false", "--raw", image + ":v1").stdout();
            assertThat(raw.getBytes(StandardCharsets.UTF_8)).isEqualTo(blobs.get(manifestDigest));
            String rawConfig = skopeo("inspect", "--tls-verify=false", "--config", "--raw", image + ":v1").stdout();
            assertThat(rawConfig.getBytes(StandardCharsets.UTF_8)).isEqualTo(blobs.get(configDigest));

            // --- copy out to a new layout: every blob bit-identical
            Path out = tmp.resolve("out");
            skopeo("copy", "--src-tls-verify=false", image + ":v1", "oci:" + out + ":v1");
            JsonNode outIndex = RegistryHttp.json(Files.readAllBytes(out.resolve("index.json")));
            assertThat(outIndex.get("manifests")).hasSize(1);
            assertThat(outIndex.at("/manifests/0/digest").asText()).isEqualTo(manifestDigest);
            assertThat(outIndex.at("/manifests/0/annotations/org.opencontainers.image.ref.name").asText())
                    .isEqualTo("v1");
            for (Map.Entry<String, byte[]> blob : blobs.entrySet()) {
                Path copied = out.resolve("blobs/sha256/" + hex(blob.getKey()));
                assertThat(copied).as("blob %s copied out", blob.getKey()).exists();
                assertThat(Files.readAllBytes(copied)).as(blob.getKey()).isEqualTo(blob.getValue());
            }

            // --- converted to Docker schema 2 into another tag, and read back as stored
            skopeo("copy", "--dest-tls-verify=false", "--format", "v2s2", "oci:" + layout + ":v1",
                    image + ":v1-docker");
            HttpResponse<byte[]> docker = http.manifest("team/skopeo", "v1-docker");
            assertThat(docker.statusCode()).as(RegistryHttp.text(docker)).isEqualTo(200);
            assertThat(docker.headers().firstValue("Content-Type")).hasValue(DOCKER_MANIFEST);
            String dockerDigest = docker.headers().firstValue("Docker-Content-Digest").orElseThrow();
            assertThat(RegistryHttp.sha256(docker.body())).isEqualTo(dockerDigest);
            assertThat(dockerDigest).isNotEqualTo(manifestDigest);
            JsonNode dockerManifest = RegistryHttp.json(docker.body());
            assertThat(dockerManifest.get("mediaType").asText()).isEqualTo(DOCKER_MANIFEST);
            assertThat(dockerManifest.at("/config/mediaType").asText()).isEqualTo(DOCKER_CONFIG);
            assertThat(dockerManifest.get("layers")).extracting(l -> l.get("mediaType").asText())
                    .containsOnly(DOCKER_LAYER);
            assertThat(dockerManifest.get("layers")).extracting(l -> l.get("digest").asText())
                    .as("the same compressed layers under Docker media types")
                    .containsExactlyElementsOf(layerDigests);
            // A Docker-only Accept gets it; an OCI-only Accept does not (the registry never converts).
            assertThat(http.get("/v2/team/skopeo/manifests/v1-docker", "Accept", DOCKER_MANIFEST).statusCode()).isEqualTo(200);
            assertThat(http.get("/v2/team/skopeo/manifests/v1-docker", "Accept", OCI_MANIFEST).statusCode()).isEqualTo(404);

            Path back = tmp.resolve("back");
            skopeo("copy", "--src-tls-verify=false", image + ":v1-docker", "dir:" + back);
            assertThat(Files.readAllBytes(back.resolve("manifest.json"))).isEqualTo(docker.body());
            for (String layer : layerDigests) {
                assertThat(Files.readAllBytes(back.resolve(hex(layer)))).as(layer).isEqualTo(blobs.get(layer));
            }
            String dockerConfigDigest = dockerManifest.at("/config/digest").asText();
            byte[] dockerConfig = Files.readAllBytes(back.resolve(hex(dockerConfigDigest)));
            assertThat(RegistryHttp.sha256(dockerConfig)).isEqualTo(dockerConfigDigest);
            assertThat(RegistryHttp.json(dockerConfig).at("/rootfs/diff_ids"))
                    .isEqualTo(RegistryHttp.json(blobs.get(configDigest)).at("/rootfs/diff_ids"));

            JsonNode tags = RegistryHttp.json(skopeo("list-tags", "--tls-verify=false", image)
                    .stdout().getBytes(StandardCharsets.UTF_8));
            assertThat(tags.get("Tags")).extracting(JsonNode::asText).containsExactlyInAnyOrder("v1", "v1-docker");

            // --- delete: the manifest is gone, by tag and by digest; the other tag stays
            skopeo("delete", "--tls-verify=false", image + ":v1");
            assertThat(http.manifest("team/skopeo", "v1").statusCode()).isEqualTo(404);
            assertThat(http.manifest("team/skopeo", manifestDigest).statusCode()).isEqualTo(404);
            assertThat(http.headStatus("/v2/team/skopeo/manifests/" + manifestDigest)).isEqualTo(404);
            assertThat(http.manifest("team/skopeo", "v1-docker").statusCode()).isEqualTo(200);
            tags = RegistryHttp.json(skopeo("list-tags", "--tls-verify=false", image)
                    .stdout().getBytes(StandardCharsets.UTF_8));
            assertThat(tags.get("Tags")).extracting(JsonNode::asText).containsExactly("v1-docker");
            ExternalTools.Result missing = run(List.of("inspect", "--tls-verify=false", image + ":v1"));
            assertThat(missing.exitCode()).as(missing.describe()).isNotZero();
            assertThat(missing.stderr()).as(missing.describe()).containsIgnoringCase("manifest unknown");
        }
    }

    private ExternalTools.Result skopeo(String... args) throws IOException, InterruptedException {
        return skopeo.ok(args);
    }

    private ExternalTools.Result run(List<String> args) throws IOException, InterruptedException {
        return skopeo.run(args);
    }

    /** An OCI image layout: two gzip'd tar layers, an image config, a manifest, tagged v1. */
    private Path writeLayout(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");

        byte[] data = new byte[64 * 1024];
        new Random(7).nextBytes(data);
        byte[] tar1 = Tar.write(List.of(
                Tar.Entry.directory("etc", 0755),
                Tar.Entry.file("etc/slipway-release", 0644, "slipway skopeo fixture 1\n".getBytes(StandardCharsets.UTF_8))));
        byte[] tar2 = Tar.write(List.of(
                Tar.Entry.directory("app", 0755),
                Tar.Entry.file("app/hello.sh", 0755, "#!/bin/sh\necho hello\n".getBytes(StandardCharsets.UTF_8)),
                Tar.Entry.file("app/data.bin", 0644, data)));

        ObjectNode config = RegistryHttp.JSON.createObjectNode();
        config.put("created", "2024-01-01T00:00:00Z");
        config.put("architecture", "amd64");
        config.put("os", "linux");
        ObjectNode runConfig = config.putObject("config");
        runConfig.putArray("Entrypoint").add("/app/hello.sh");
        runConfig.putArray("Env").add("PATH=/usr/bin:/bin");
        runConfig.putObject("Labels").put("io.slipway.test", "skopeo");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        ArrayNode history = config.putArray("history");
        ArrayNode layers = RegistryHttp.JSON.createArrayNode();
        int n = 0;
        for (byte[] tar : List.of(tar1, tar2)) {
            byte[] gz = gzip(tar);
            String digest = writeBlob(dir, gz);
            layerDigests.add(digest);
            diffIds.add(RegistryHttp.sha256(tar));
            history.addObject().put("created", "2024-01-01T00:00:00Z").put("created_by", "fixture layer " + (++n));
            layers.addObject().put("mediaType", OCI_LAYER).put("digest", digest).put("size", gz.length);
        }
        byte[] configBytes = RegistryHttp.JSON.writeValueAsBytes(config);
        configDigest = writeBlob(dir, configBytes);

        ObjectNode manifest = RegistryHttp.JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.putObject("config").put("mediaType", OCI_CONFIG).put("digest", configDigest)
                .put("size", configBytes.length);
        manifest.set("layers", layers);
        manifest.putObject("annotations").put("org.opencontainers.image.title", "slipway skopeo fixture");
        byte[] manifestBytes = RegistryHttp.JSON.writeValueAsBytes(manifest);
        manifestDigest = writeBlob(dir, manifestBytes);

        ObjectNode index = RegistryHttp.JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.putArray("manifests").addObject()
                .put("mediaType", OCI_MANIFEST).put("digest", manifestDigest).put("size", manifestBytes.length)
                .putObject("annotations").put("org.opencontainers.image.ref.name", "v1");
        Files.write(dir.resolve("index.json"), RegistryHttp.JSON.writeValueAsBytes(index));
        return dir;
    }

    private String writeBlob(Path layout, byte[] content) throws IOException {
        String digest = RegistryHttp.sha256(content);
        Files.write(layout.resolve("blobs/sha256/" + hex(digest)), content);
        blobs.put(digest, content);
        return digest;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }
}
