package io.slipway.registry.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The registry the console tests look at: {@link IamFixture}'s two accounts, an advisory database
 * with two npm advisories, and images pushed for real — {@code acme-dev/web} with tags 1.0 and
 * latest on one digest carrying the vulnerable npm package (two issues once scanned), a clean
 * {@code acme-dev/tools:2.0}, and globex's {@code globex-app/secret:1.0}.
 */
final class ConsoleFixture implements AutoCloseable {
    /** Advisories of the paging image: one per package {@code paging-pkg-N}, which only that image has. */
    static final int PAGING_FINDINGS = 120;
    static final String ADVISORIES = """
            [{"id": "GHSA-cons-0001", "aliases": ["CVE-2099-1111"], "summary": "console test: remote code execution",
              "database_specific": {"severity": "HIGH"},
              "affected": [{"package": {"ecosystem": "npm", "name": "console-demo"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}]},
             {"id": "GHSA-cons-0002", "aliases": ["CVE-2099-2222"], "summary": "console test: denial of service",
              "database_specific": {"severity": "MODERATE"},
              "affected": [{"package": {"ecosystem": "npm", "name": "console-demo"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.9.5"}]}]}]}
            """ + pagingAdvisories() + "]";

    /** {@link #PAGING_FINDINGS} advisories, severities in turn, each of one {@code paging-pkg-N}. */
    static String pagingAdvisories() {
        StringBuilder b = new StringBuilder();
        String[] severities = {"CRITICAL", "HIGH", "MODERATE", "LOW"};
        for (int i = 0; i < PAGING_FINDINGS; i++) {
            b.append(String.format(java.util.Locale.ROOT, ",{\"id\": \"GHSA-page-%03d\", \"aliases\": [\"CVE-2099-%d\"], "
                    + "\"summary\": \"paging finding %d\", \"database_specific\": {\"severity\": \"%s\"}, "
                    + "\"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": \"paging-pkg-%d\"}, "
                    + "\"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"2.0.0\"}]}]}]}",
                    i, 30000 + i, i, severities[i % 4], i));
        }
        return b.toString();
    }

    final IamFixture iam;
    final Digest web;
    final Digest globexImage;
    /** The web image's report before any exemption (its status counts the configuration issues too). */
    final JsonNode webReport;

    ConsoleFixture(Path data) throws Exception {
        iam = new IamFixture(data);
        JsonNode imported = iam.api(iam.adminKey, "POST", "/api/v1/va/db/import?name=console.json", ADVISORIES, 201);
        assertThat(imported.path("added").asInt()).isEqualTo(2 + PAGING_FINDINGS);
        String manager = iam.keys.get("manager");
        web = push(manager, "acme-dev/web", npmLayer("console-demo", "0.9.0"), "1.0", "latest");
        push(manager, "acme-dev/tools", npmLayer("harmless", "1.0.0"), "2.0");
        globexImage = push(iam.keys.get("globex"), "globex-app/secret", npmLayer("console-demo", "0.9.0"), "1.0");
        webReport = awaitScan(manager, "acme-dev/web:1.0");
        assertThat(webReport.path("vulnerabilities").toString()).contains("CVE-2099-1111").contains("CVE-2099-2222");
        awaitScan(iam.keys.get("globex"), "globex-app/secret:1.0");
        awaitScan(manager, "acme-dev/tools:2.0");
    }

    String url(String path) {
        return iam.server.uri() + path;
    }

    /** Pushes a one-layer image under each tag and returns its digest. */
    Digest push(String apiKey, String repository, byte[] layer, String... tags) throws Exception {
        String token = "Bearer " + iam.token(apiKey, "repository:" + repository + ":pull,push");
        byte[] config = Images.config("2026-01-02T03:04:05Z").replace("\"config\":{}",
                "\"config\":{\"User\":\"1000\",\"Env\":[\"PATH=/usr/bin\",\"SECRET_TOKEN=hidden-value\"],"
                        + "\"ExposedPorts\":{\"8080/tcp\":{}},\"Entrypoint\":[\"/app/run\"],"
                        + "\"Labels\":{\"org.opencontainers.image.title\":\"" + repository + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : new byte[][] {config, layer}) {
            HttpResponse<byte[]> r = iam.http.post("/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(blob),
                    blob, "Authorization", token);
            assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(201);
        }
        String manifest = Images.imageManifest(Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
        for (String tag : tags) {
            HttpResponse<byte[]> r = iam.http.put("/v2/" + repository + "/manifests/" + tag,
                    manifest.getBytes(StandardCharsets.UTF_8), "Content-Type", MediaTypes.OCI_MANIFEST,
                    "Authorization", token);
            assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(201);
        }
        return Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8));
    }

    /** A gzipped layer holding one npm package, as {@code node_modules/NAME/package.json}. */
    static byte[] npmLayer(String name, String version) throws IOException {
        return npmLayer(java.util.Map.of(name, version));
    }

    /** A gzipped layer holding npm packages (name to version), each as {@code node_modules/NAME/package.json}. */
    static byte[] npmLayer(java.util.Map<String, String> packages) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            for (var p : new java.util.TreeMap<>(packages).entrySet()) {
                byte[] json = ("{\"name\":\"" + p.getKey() + "\",\"version\":\"" + p.getValue() + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("app/node_modules/" + p.getKey() + "/package.json");
                e.setSize(json.length);
                e.setModTime(0);
                tar.putArchiveEntry(e);
                tar.write(json);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A layer with every {@code paging-pkg-N}: {@link #PAGING_FINDINGS} vulnerabilities once scanned. */
    static byte[] pagingLayer() throws IOException {
        java.util.Map<String, String> packages = new java.util.HashMap<>();
        for (int i = 0; i < PAGING_FINDINGS; i++) {
            packages.put("paging-pkg-" + i, "1.0.0");
        }
        return npmLayer(packages);
    }

    /** Waits (bounded) until the image's scan is done; its report as the management API shows it. */
    JsonNode awaitScan(String apiKey, String image) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 600; i++) {
            last = iam.api(apiKey, "GET", "/api/v1/va?image=" + URLEncoder.encode(image, StandardCharsets.UTF_8), null, 200);
            if (last.path("state").asText().equals("DONE")) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(image + " was never scanned; last: " + last);
    }

    @Override
    public void close() throws Exception {
        iam.close();
    }
}
