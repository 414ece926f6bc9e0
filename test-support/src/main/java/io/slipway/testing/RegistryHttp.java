package io.slipway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain HTTP client for tests that speak the distribution protocol by hand, or check what a
 * client (skopeo, Jib, Helm) left in the registry independently of it.
 */
public final class RegistryHttp {
    /** Every manifest type the registry serves, as an Accept header. */
    public static final String MANIFEST_TYPES = String.join(", ",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    public static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    public RegistryHttp(URI base) {
        this.base = base;
    }

    public URI uri(String pathAndQuery) {
        return URI.create(base.toString() + pathAndQuery);
    }

    public HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(60));
    }

    public HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<byte[]> get(String path, String... headers) {
        HttpRequest.Builder b = request(path).GET();
        if (headers != null && headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    public HttpResponse<byte[]> head(String path, String... headers) {
        HttpRequest.Builder b = request(path).method("HEAD", HttpRequest.BodyPublishers.noBody());
        if (headers != null && headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    public HttpResponse<byte[]> delete(String path) {
        return send(request(path).DELETE().build());
    }

    public HttpResponse<byte[]> post(String path, byte[] body, String... headers) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers != null && headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    public HttpResponse<byte[]> put(String path, byte[] body, String... headers) {
        HttpRequest.Builder b = request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers != null && headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    public HttpResponse<byte[]> patch(String path, byte[] body, String... headers) {
        HttpRequest.Builder b = request(path).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers != null && headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    /** Pushes a blob in one request and returns its digest. */
    public Digest pushBlob(String repository, byte[] content) {
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> r = post("/v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream");
        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
        return digest;
    }

    /** Pushes a manifest and returns the digest the registry answered. */
    public Digest pushManifest(String repository, String reference, String mediaType, String json) {
        HttpResponse<byte[]> r = put("/v2/" + repository + "/manifests/" + reference,
                json.getBytes(StandardCharsets.UTF_8), "Content-Type", mediaType);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
        return Digest.parse(r.headers().firstValue("Docker-Content-Digest").orElseThrow());
    }

    /** A manifest of any type, by tag or digest. */
    public HttpResponse<byte[]> manifest(String repository, String reference) {
        return get("/v2/" + repository + "/manifests/" + reference, "Accept", MANIFEST_TYPES);
    }

    public HttpResponse<byte[]> blob(String repository, String digest) {
        return get("/v2/" + repository + "/blobs/" + digest);
    }

    /** The status of a HEAD with every manifest type accepted. */
    public int headStatus(String path) {
        return head(path, "Accept", MANIFEST_TYPES).statusCode();
    }

    public static JsonNode json(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code sha256:<hex>} of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        return Digest.sha256(bytes).toString();
    }

    public static String text(HttpResponse<byte[]> r) {
        return r.statusCode() + " " + new String(r.body() == null ? new byte[0] : r.body(), StandardCharsets.UTF_8);
    }

    /** The path part of a Location header (which may be absolute or relative). */
    public static String location(HttpResponse<byte[]> r) {
        String loc = r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location: " + text(r)));
        URI u = URI.create(loc);
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** Appends a query parameter to a location that may already have a query. */
    public static String withQuery(String location, String param) {
        return location + (location.contains("?") ? "&" : "?") + param;
    }
}
