package io.slipway.registry.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.testing.TestTls;
import io.slipway.testing.RegistryHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients push to and pull from the registry over HTTPS with its CA trusted — verification
 * on, as in production: skopeo ({@code --dest-cert-dir}/{@code --src-cert-dir}), Helm
 * ({@code --ca-file}) and Jib (a trust store, in a child JVM so the test JVM's own trust is untouched).
 */
class HttpsClientsTest {
    @TempDir
    Path tmp;

    private RegistryServer start(TestTls tls) throws Exception {
        RegistryConfig c = RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0")
                .withDataDir(tmp.resolve("data"));
        return RegistryServer.start(c.withListeners(c.listeners().withTls(tls.tlsFiles())));
    }

    @Test
    void skopeoCopiesInAndOutWithTheCaTrusted() throws Exception {
        TestTls tls = TestTls.create(tmp.resolve("tls"));
        SkopeoRunner skopeo = new SkopeoRunner(tmp.resolve("skopeo"));
        Path layout = layout(tmp.resolve("layout"));
        try (RegistryServer server = start(tls)) {
            String image = "docker://127.0.0.1:" + server.port() + "/team/tls:v1";
            Path certs = tls.caDir();
            Path digestFile = tmp.resolve("pushed.digest");
            skopeo.ok("copy", "--dest-cert-dir", certs.toString(), "--digestfile", digestFile.toString(),
                    "oci:" + layout + ":v1", image);
            String digest = Files.readString(digestFile).trim();

            HttpClient client = tls.client(HttpClient.Version.HTTP_2);
            HttpResponse<byte[]> stored = client.send(HttpRequest.newBuilder(server.uri().resolve("/v2/team/tls/manifests/v1"))
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(stored.statusCode()).isEqualTo(200);
            assertThat(stored.headers().firstValue("Docker-Content-Digest")).hasValue(digest);

            Path out = tmp.resolve("out");
            skopeo.ok("copy", "--src-cert-dir", certs.toString(), image, "oci:" + out + ":v1");
            JsonNode index = RegistryHttp.JSON.readTree(Files.readAllBytes(out.resolve("index.json")));
            assertThat(index.at("/manifests/0/digest").asText()).isEqualTo(digest);

            // Without the CA skopeo refuses the registry: the trust above is what made it work.
            ExternalTools.Result refused = skopeo.run(List.of("inspect", "--raw", image));
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.describe()).containsIgnoringCase("certificate");
        }
    }

    @Test
    void helmPushesAndShowsAChartWithTheCaFile() throws Exception {
        TestTls tls = TestTls.create(tmp.resolve("tls"));
        try (RegistryServer server = start(tls)) {
            Path charts = Files.createDirectories(tmp.resolve("charts"));
            Helm chart = Helm.create().withName("secure").withDir(charts).call();
            Path packages = Files.createDirectories(tmp.resolve("packages"));
            chart.packageIt().withDestination(packages).call();
            Path tgz;
            try (Stream<Path> list = Files.list(packages)) {
                tgz = list.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst().orElseThrow();
            }
            String registry = "127.0.0.1:" + server.port();
            String pushed = Helm.push().withChart(tgz).withRemote(URI.create("oci://" + registry + "/charts"))
                    .withCaFile(tls.files.ca()).call();
            HttpResponse<byte[]> manifest = tls.client(HttpClient.Version.HTTP_1_1).send(
                    HttpRequest.newBuilder(server.uri().resolve("/v2/charts/secure/manifests/0.1.0"))
                            .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(manifest.statusCode()).isEqualTo(200);
            assertThat(pushed).contains(manifest.headers().firstValue("Docker-Content-Digest").orElseThrow());
            String shown = Helm.show("oci://" + registry + "/charts/secure").chart().withVersion("0.1.0")
                    .withCaFile(tls.files.ca()).call();
            assertThat(shown).contains("name: secure").contains("version: 0.1.0");
        }
    }

    @Test
    void jibPushesAndPullsWithATrustStoreOfTheCa() throws Exception {
        TestTls tls = TestTls.create(tmp.resolve("tls"));
        Path trustStore = tmp.resolve("ca.p12");
        try (var out = Files.newOutputStream(trustStore)) {
            io.slipway.registry.tls.PemKeyStore.trustStore(tls.files.ca()).store(out, "changeit".toCharArray());
        }
        try (RegistryServer server = start(tls)) {
            Path work = Files.createDirectories(tmp.resolve("jib"));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    "-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit",
                    "-Djavax.net.ssl.trustStoreType=PKCS12", JibOverHttps.class.getName(),
                    "127.0.0.1:" + server.port(), work.toString())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            HttpResponse<byte[]> manifest = tls.client(HttpClient.Version.HTTP_2).send(
                    HttpRequest.newBuilder(server.uri().resolve("/v2/team/jib/manifests/1"))
                            .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, "
                                    + "application/vnd.oci.image.manifest.v1+json").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(manifest.statusCode()).isEqualTo(200);
            assertThat(out).contains(manifest.headers().firstValue("Docker-Content-Digest").orElseThrow());
            assertThat(work.resolve("pulled.tar")).isNotEmptyFile();
        }
    }

    /** An OCI layout of one small image, tagged v1. */
    static Path layout(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        byte[] tar = Tar.write(List.of(Tar.Entry.file("hello.txt", 0644, "over TLS\n".getBytes(StandardCharsets.UTF_8))));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(tar);
        }
        String layer = blob(dir, gz.toByteArray());
        ObjectNode config = RegistryHttp.JSON.createObjectNode();
        config.put("architecture", "amd64").put("os", "linux");
        config.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(RegistryHttp.sha256(tar));
        byte[] configBytes = RegistryHttp.JSON.writeValueAsBytes(config);
        String configDigest = blob(dir, configBytes);
        ObjectNode manifest = RegistryHttp.JSON.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", configDigest).put("size", configBytes.length);
        manifest.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
                .put("digest", layer).put("size", gz.size());
        byte[] manifestBytes = RegistryHttp.JSON.writeValueAsBytes(manifest);
        String manifestDigest = blob(dir, manifestBytes);
        ObjectNode index = RegistryHttp.JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", manifestDigest).put("size", manifestBytes.length)
                .putObject("annotations").put("org.opencontainers.image.ref.name", "v1");
        Files.write(dir.resolve("index.json"), RegistryHttp.JSON.writeValueAsBytes(index));
        return dir;
    }

    private static String blob(Path layout, byte[] content) throws IOException {
        String digest = RegistryHttp.sha256(content);
        Files.write(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())), content);
        return digest;
    }
}
