package io.slipway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.client.CredentialPolicy;
import io.slipway.oci.client.RegistryException;
import io.slipway.oci.client.RegistryUnreachableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The one client of the registry's management API ({@code /api/v1/}), used by the pipeline steps
 * and by every {@code slipway} command that manages the registry, so both report errors alike: JSON in, JSON out, the
 * step's credentials as HTTP Basic. A refusal is a {@link RegistryException} carrying the status and
 * the registry's own message; no answer at all is a {@link RegistryUnreachableException}. Credentials stay
 * home ({@link CredentialPolicy}): never over plain HTTP except to loopback, and dropped on a redirect to
 * another origin.
 */
public final class ManagementClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RegistryAccess access;
    // Redirects are followed by CredentialPolicy, never by the JDK, which would carry Authorization to any origin.
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public ManagementClient(RegistryAccess access) {
        this.access = access;
    }

    /** A query-string value, encoded. */
    public static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** An empty JSON object to fill as a request body. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public JsonNode get(String path) throws IOException {
        return call("GET", path, null);
    }

    public JsonNode post(String path, JsonNode body) throws IOException {
        return call("POST", path, body);
    }

    public JsonNode patch(String path, JsonNode body) throws IOException {
        return call("PATCH", path, body);
    }

    public JsonNode delete(String path) throws IOException {
        return call("DELETE", path, null);
    }

    /**
     * Sends a file as the body of a POST (an advisory database file), waiting as long as the
     * registry takes to import it.
     */
    public JsonNode upload(String path, java.nio.file.Path file) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(access.url() + "/api/v1" + path))
                .timeout(Duration.ofMinutes(30))
                .header("Accept", "application/json")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file));
        return send(b);
    }

    /**
     * A POST the registry may take long to answer (a garbage collection sweep), waiting up to
     * {@code timeout} rather than the minute of other calls.
     */
    public JsonNode post(String path, JsonNode body, Duration timeout) throws IOException {
        return call("POST", path, body, timeout);
    }

    /** {@code path} starts with a slash and is relative to {@code /api/v1}. */
    public JsonNode call(String method, String path, JsonNode body) throws IOException {
        return call(method, path, body, Duration.ofSeconds(60));
    }

    private JsonNode call(String method, String path, JsonNode body, Duration timeout) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(access.url() + "/api/v1" + path))
                .timeout(timeout)
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return send(b);
    }

    private JsonNode send(HttpRequest.Builder b) throws IOException {
        if (access.user() != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (access.user() + ":" + access.secret()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> r;
        try {
            r = CredentialPolicy.send(http, b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new RegistryUnreachableException("cannot reach the registry at " + access.url(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode answer;
        try {
            answer = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new RegistryException(r.statusCode(), "the registry answered " + r.statusCode()
                    + " with something that is not JSON");
        }
        if (r.statusCode() >= 400) {
            String message = answer.path("errors").path(0).path("message").asText("HTTP " + r.statusCode());
            if (r.statusCode() == 401) {
                message = "not logged in, or the credentials were refused (" + message + ")";
            }
            throw new RegistryException(r.statusCode(), message);
        }
        return answer;
    }
}
