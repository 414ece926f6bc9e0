package io.slipway.server.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.slipway.cli.CliRun;
import io.slipway.oci.ArtifactKind;
import io.slipway.oci.Digest;
import io.slipway.registry.testing.IamFixture;
import io.slipway.testing.ToolBinaries;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway release} end to end, from this checkout's build outputs (the shaded jar and the
 * client jar exist once the reactor packaged them: an IT): the release written to a folder, the
 * image tars read back (index, manifest, config: non-root user, entrypoint, the jar inside), the
 * Tasks pinned to the step image, the chart pinned to the registry image, the same digests from a
 * second run; then pushed to a real token-auth Slipway registry — both images (the digests the tars
 * hold), the chart, and the Tekton bundle, fetched back with oras and its layers' annotations and
 * files checked; the registry lists the bundle as a Tekton bundle and never queued a scan of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReleaseIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String VERSION = "0.1.0-it";
    private static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
    private static final Path HPI = CHECKOUT.resolve("jenkins-plugin/plugin/target/slipway.hpi");

    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;
    String host;

    @BeforeAll
    void start() throws Exception {
        iam = new IamFixture(tmp.resolve("data"));
        url = iam.server.uri().toString().replaceAll("/$", "");
        host = url.replaceFirst("^https?://", "");
        System.setProperty("slipway.home", tmp.resolve("home").toString());
        System.setProperty("docker.config", tmp.resolve("docker").toString());
    }

    @AfterAll
    void stop() throws Exception {
        iam.close();
        System.clearProperty("slipway.home");
        System.clearProperty("docker.config");
    }

    /** The plugin when its module was built; else the release says knowingly that it has none. */
    private static List<String> plugin() {
        return Files.isRegularFile(HPI) ? List.of("--hpi", HPI.toString()) : List.of("--no-jenkins-plugin");
    }

    private static CliRun release(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("release", "--output", out.toString(), "--source", CHECKOUT.toString(),
                "--version", VERSION));
        args.addAll(List.of(more));
        return CliRun.slipway(args.toArray(String[]::new));
    }

    @Test
    void aMissingPluginStopsTheReleaseBeforeItWritesAnything() throws Exception {
        Path out = tmp.resolve("refused");
        CliRun r = release(out, "--hpi", tmp.resolve("none.hpi").toString());
        assertThat(r.code()).isEqualTo(io.slipway.cli.Slipway.BAD_INPUT);
        assertThat(r.err()).contains("cannot release, missing:").contains("none.hpi")
                .contains("mvn -pl jenkins-plugin/plugin -am package").contains("--no-jenkins-plugin");
        assertThat(out).doesNotExist();
    }

    @Test
    void theReleaseIsWrittenReproduciblyAndPushedWithItsTektonBundle() throws Exception {
        String prefix = host + "/acme-dev";
        Path out = tmp.resolve("release");
        List<String> args = new ArrayList<>(List.of("--push", prefix, "--registry", url, "--api-key", iam.keys.get("ci")));
        args.addAll(plugin());
        CliRun first = release(out, args.toArray(String[]::new));
        assertThat(first.code()).as(first.err() + first.out()).isZero();

        // The image tars: OCI layouts docker and skopeo load, the config naming a non-root user.
        Image registry = image(out.resolve("slipway-registry.tar"));
        assertThat(registry.config().path("config").path("User").asText()).isEqualTo("65532:65532");
        assertThat(registry.config().path("config").path("Entrypoint").toString()).contains("/opt/slipway/slipway.jar");
        assertThat(registry.config().path("config").path("Cmd").toString()).contains("registry").contains("serve");
        assertThat(registry.config().path("config").path("ExposedPorts").has("5000/tcp")).isTrue();
        assertThat(registry.files()).contains("opt/slipway/slipway.jar", "opt/java/bin/java", "etc/passwd")
                .noneMatch(f -> f.equals("bin/sh"));
        Image task = image(out.resolve("slipway-task.tar"));
        assertThat(task.config().path("config").path("User").asText()).isEqualTo("1000:1000");
        assertThat(task.files()).contains("opt/slipway/slipway.jar", "bin/sh");
        System.out.printf("image sizes: slipway-registry.tar %d bytes, slipway-task.tar %d bytes%n",
                Files.size(out.resolve("slipway-registry.tar")), Files.size(out.resolve("slipway-task.tar")));

        // The Tasks run exactly the step image; the chart exactly the registry image.
        int tasks = 0;
        try (var files = Files.list(out.resolve("tekton"))) {
            for (Path f : files.sorted().toList()) {
                JsonNode doc = YAML.readTree(f.toFile());
                if (doc.path("kind").asText().equals("Task")) {
                    tasks++;
                    assertThat(param(doc, "SLIPWAY_IMAGE")).isEqualTo(prefix + "/slipway-task@" + task.digest());
                }
            }
        }
        assertThat(tasks).isEqualTo(5);
        Map<String, byte[]> chart = untar(gunzip(Files.readAllBytes(out.resolve("slipway-" + VERSION + ".tgz"))));
        JsonNode chartYaml = YAML.readTree(chart.get("slipway/Chart.yaml"));
        assertThat(chartYaml.path("version").asText()).isEqualTo(VERSION);
        assertThat(chartYaml.path("appVersion").asText()).isEqualTo(VERSION);
        JsonNode values = YAML.readTree(chart.get("slipway/values.yaml"));
        assertThat(values.path("image").path("repository").asText()).isEqualTo(prefix + "/slipway-registry");
        assertThat(values.path("image").path("digest").asText()).isEqualTo(registry.digest().toString());
        assertThat(out.resolve("slipway.hpi").toFile().exists()).isEqualTo(Files.isRegularFile(HPI));

        // A second run, into another folder, makes the same images.
        Path again = tmp.resolve("again");
        List<String> second = new ArrayList<>(List.of("--image-prefix", prefix));
        second.addAll(plugin());
        CliRun run2 = release(again, second.toArray(String[]::new));
        assertThat(run2.code()).as(run2.err()).isZero();
        assertThat(image(again.resolve("slipway-registry.tar")).digest()).isEqualTo(registry.digest());
        assertThat(image(again.resolve("slipway-task.tar")).digest()).isEqualTo(task.digest());

        // Pushed: the images are the tars' digests, the chart an OCI chart, the bundle as tkn makes it.
        var client = new io.slipway.pipeline.RegistryAccess(url, "iamapikey", iam.keys.get("ci")).client();
        assertThat(client.manifestDigest("acme-dev/slipway-registry", VERSION)).isEqualTo(registry.digest());
        assertThat(client.manifestDigest("acme-dev/slipway-task", VERSION)).isEqualTo(task.digest());
        JsonNode chartManifest = JSON.readTree(client.manifest("acme-dev/slipway", VERSION).bytes());
        assertThat(chartManifest.path("config").path("mediaType").asText()).isEqualTo(ArtifactKind.HELM_CONFIG);
        Digest bundle = Digest.parse(match(first.out(), "pushed " + Pattern.quote(prefix) + "/slipway-tekton:"
                + Pattern.quote(VERSION) + "@(sha256:[0-9a-f]{64})"));

        Path oras = ToolBinaries.require("oras");
        String ref = prefix + "/slipway-tekton:" + VERSION;
        JsonNode fetched = JSON.readTree(run(oras.toString(), "manifest", "fetch", "--plain-http", "-u", "iamapikey",
                "-p", iam.keys.get("ci"), ref));
        Map<String, String> kinds = new HashMap<>();
        for (JsonNode layer : fetched.path("layers")) {
            JsonNode a = layer.path("annotations");
            assertThat(a.path("dev.tekton.image.apiVersion").asText()).isEqualTo("v1");
            String name = a.path("dev.tekton.image.name").asText();
            kinds.put(name, a.path("dev.tekton.image.kind").asText());
            // Each layer: one file, named after the resource, holding it as JSON.
            Path blob = tmp.resolve("layer-" + name);
            run(oras.toString(), "blob", "fetch", "--plain-http", "-u", "iamapikey", "-p", iam.keys.get("ci"),
                    "--output", blob.toString(), prefix + "/slipway-tekton@" + layer.path("digest").asText());
            Map<String, byte[]> entries = untar(gunzip(Files.readAllBytes(blob)));
            assertThat(entries).containsOnlyKeys(name);
            JsonNode resource = JSON.readTree(entries.get(name));
            assertThat(resource.path("metadata").path("name").asText()).isEqualTo(name);
            assertThat(resource.path("kind").asText().toLowerCase()).isEqualTo(kinds.get(name));
        }
        assertThat(kinds).containsEntry("slipway-build", "task").containsEntry("slipway-gate", "task")
                .containsEntry("slipway-sign", "task").containsEntry("slipway-deploy", "task")
                .containsEntry("slipway-promote", "task").containsEntry("slipway-pipeline", "pipeline").hasSize(6);
        assertThat(Digest.sha256(run(oras.toString(), "manifest", "fetch", "--plain-http", "-u", "iamapikey", "-p",
                iam.keys.get("ci"), ref).getBytes(StandardCharsets.UTF_8))).isEqualTo(bundle);

        // The registry lists each for what it is; the bundle was never queued for a scan.
        JsonNode list = iam.api(iam.keys.get("manager"), "GET", "/api/v1/images?restrict=acme-dev&va=true", null, 200);
        Map<String, String> listed = new HashMap<>();
        Map<String, String> status = new HashMap<>();
        list.forEach(row -> listed.put(row.path("repository").asText(), row.path("kind").asText()));
        list.forEach(row -> status.put(row.path("repository").asText(), row.path("securityStatus").asText()));
        assertThat(listed).containsEntry("acme-dev/slipway-tekton", "tekton-bundle")
                .containsEntry("acme-dev/slipway", "helm-chart")
                .containsEntry("acme-dev/slipway-registry", "image").containsEntry("acme-dev/slipway-task", "image");
        assertThat(iam.server.scans().jobs().runs(bundle)).isEmpty();
        assertThat(status).containsEntry("acme-dev/slipway-tekton", "Unsupported");
        CliRun table = CliRun.as(url, iam.keys.get("manager"), "cr", "image-list", "--restrict", "acme-dev/slipway-tekton");
        assertThat(table.out()).containsPattern("acme-dev/slipway-tekton +" + Pattern.quote(VERSION) + " .* tekton-bundle");
    }

    private static String param(JsonNode task, String name) {
        for (JsonNode p : task.path("spec").path("params")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("default").asText();
            }
        }
        return null;
    }

    /** An image tar as Jib writes it: the OCI layout's index, the manifest, the config, and the layers' files. */
    record Image(Digest digest, JsonNode manifest, JsonNode config, List<String> files) {
    }

    private static Image image(Path tar) throws Exception {
        Map<String, byte[]> entries = untar(Files.readAllBytes(tar));
        JsonNode index = JSON.readTree(entries.get("index.json"));
        assertThat(entries).containsKey("oci-layout");
        Digest digest = Digest.parse(index.path("manifests").path(0).path("digest").asText());
        JsonNode manifest = JSON.readTree(entries.get("blobs/sha256/" + digest.hex()));
        JsonNode config = JSON.readTree(entries.get("blobs/sha256/" + Digest.parse(manifest.path("config").path("digest").asText()).hex()));
        List<String> files = new ArrayList<>();
        for (JsonNode layer : manifest.path("layers")) {
            byte[] blob = entries.get("blobs/sha256/" + Digest.parse(layer.path("digest").asText()).hex());
            assertThat(Digest.sha256(blob).toString()).isEqualTo(layer.path("digest").asText());
            untar(gunzip(blob)).keySet().forEach(f -> files.add(f.replaceFirst("^\\./", "").replaceFirst("^/", "")));
        }
        return new Image(digest, manifest, config, files);
    }

    private static Map<String, byte[]> untar(byte[] tar) throws Exception {
        Map<String, byte[]> entries = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isFile()) {
                    entries.put(e.getName().replaceFirst("^\\./", ""), in.readAllBytes());
                }
            }
        }
        return entries;
    }

    private static byte[] gunzip(byte[] gz) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in:%n%s", regex, text).isTrue();
        return m.group(1);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + err).isZero();
        return out;
    }
}
