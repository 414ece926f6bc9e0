package io.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.testing.Images;
import io.slipway.testing.RegistryHttp;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Requests a hostile or broken client sends, over a raw socket where an HTTP client would refuse to
 * send them: every refusal is the OCI error JSON (Jetty's own included), never an HTML page, and a
 * malformed body is the client's error (4xx), never a 500.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;

    @TempDir
    static Path tokenData;

    /** An open registry (the distribution API without tokens) and one with token auth (for /token). */
    RegistryServer server;
    RegistryServer tokenServer;
    RegistryHttp http;

    @BeforeAll
    void start() throws Exception {
        server = RegistryServer.start(RegistryConfig.defaults().withAuth("none").withListen("127.0.0.1:0").withDataDir(data));
        tokenServer = RegistryServer.start(RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(tokenData));
        http = new RegistryHttp(server.uri());
    }

    @AfterAll
    void stop() throws Exception {
        try (RegistryServer t = tokenServer) {
            server.close();
        }
    }

    /** A raw exchange: status, headers (lower-cased names) and body. */
    record Raw(int status, String head, byte[] body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    Raw raw(byte[] request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                all.write(buf, 0, n);
            }
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("an HTTP answer: %s", text).isPositive();
            String head = text.substring(0, end);
            int status = Integer.parseInt(head.split(" ")[1]);
            byte[] body = text.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1);
            return new Raw(status, head.toLowerCase(Locale.ROOT), body);
        }
    }

    static byte[] get(String target, String... extraHeaders) {
        StringBuilder b = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    void assertOciError(Raw r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.head()).isEqualTo(status);
        assertThat(r.head()).contains("content-type: application/json");
        JsonNode error = r.json().path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank().doesNotContain("<").doesNotContain("Exception");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/v2/ns/%2e%2e/secret/manifests/latest",
        "/v2/ns/repo/..%2fother/manifests/latest",
        "/v2//ns/repo/manifests/latest",
        "/v2/ns/repo%00/manifests/latest",
        "/v2/ns%2frepo/manifests/latest",
    })
    void ambiguousPathsAreOciErrors(String target) throws Exception {
        Raw r = raw(get(target));
        assertThat(r.status()).as(r.head()).isBetween(400, 404);
        assertThat(r.head()).contains("content-type: application/json");
        assertThat(r.json().path("errors").path(0).path("code").asText()).isNotBlank();
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("<html");
    }

    @Test
    void tooLongUriIsAnOciError() throws Exception {
        assertOciError(raw(get("/v2/ns/" + "a".repeat(40_000) + "/tags/list")), 414, "URI_TOO_LONG");
    }

    @Test
    void tooLargeHeadersAreAnOciError() throws Exception {
        assertOciError(raw(get("/v2/", "X-Filler: " + "b".repeat(40_000))), 431, "HEADERS_TOO_LARGE");
    }

    @Test
    void garbageRequestLineIsAnOciError() throws Exception {
        assertOciError(raw("HELLO THERE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), 505, "UNKNOWN");
        assertOciError(raw("\u0001\u0002\u0003 / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), 400, "BAD_REQUEST");
        assertOciError(raw("GET /v2/ HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)),
                400, "BAD_REQUEST");
        assertOciError(raw("GET /v2/ HTTP/9.7\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), 505, "UNKNOWN");
    }

    @Test
    void malformedTokenFormIsA400() throws Exception {
        HttpResponse<byte[]> r = new RegistryHttp(tokenServer.uri()).post("/token", "grant_type=password&username=%ZZ&password=x&service=slipway"
                .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("invalid_request");
    }

    @ParameterizedTest(name = "Content-Range \"{0}\"")
    @CsvSource(value = {"''", "' '", "-5-10", "+0-9", "0 - 9", "10-5", "0-9x", "bytes 0-9/11", "0x0-0x9"},
            quoteCharacter = '\'')
    void malformedContentRangeIsA416(String header) throws Exception {
        HttpResponse<byte[]> start = http.post("/v2/hostile/range/blobs/uploads/", new byte[0]);
        assertThat(start.statusCode()).as(RegistryHttp.text(start)).isEqualTo(202);
        String location = RegistryHttp.location(start);
        // A raw request: an HTTP client would not send an empty header value.
        String target = location.startsWith("http") ? java.net.URI.create(location).getRawPath() : location;
        byte[] body = new byte[10];
        String request = "PATCH " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Range: " + header + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(request.getBytes(StandardCharsets.ISO_8859_1));
        bytes.write(body);
        assertOciError(raw(bytes.toByteArray()), 416, "RANGE_INVALID");
    }

    @Test
    void rfcContentRangeIsAccepted() throws Exception {
        String location = RegistryHttp.location(http.post("/v2/hostile/range/blobs/uploads/", new byte[0]));
        HttpResponse<byte[]> r = http.patch(location, new byte[10], 
                "Content-Range", "bytes 0-9/*");
        assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(202);
        assertThat(r.headers().firstValue("Range")).hasValue("0-9");
    }

    @ParameterizedTest(name = "Content-Type {0}")
    @CsvSource({"text/plain", "application/json", "application/octet-stream"})
    void manifestOfANonManifestTypeIsRefused(String contentType) throws Exception {
        byte[] config = Images.config("2024-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        String manifest = Images.imageManifest(http.pushBlob("hostile/types", config), config.length,
                http.pushBlob("hostile/types", layer), layer.length);
        HttpResponse<byte[]> r = http.put("/v2/hostile/types/manifests/v1", manifest.getBytes(StandardCharsets.UTF_8),
                 "Content-Type", contentType);
        assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo("MANIFEST_INVALID");
        assertThat(error.path("message").asText()).contains(contentType).contains(MediaTypes.OCI_MANIFEST);
        HttpResponse<byte[]> ok = http.put("/v2/hostile/types/manifests/v1", manifest.getBytes(StandardCharsets.UTF_8),
                 "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(ok.statusCode()).as(RegistryHttp.text(ok)).isEqualTo(201);
    }
}
