package io.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The registry's management API ({@code /api/v1/}) as the CLI calls it. */
final class ManagementClient {
    private final Credentials credentials;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ManagementClient(Credentials credentials) {
        this.credentials = credentials;
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    JsonNode get(String path) throws IOException {
        return call("GET", path, null);
    }

    JsonNode post(String path, JsonNode body) throws IOException {
        return call("POST", path, body);
    }

    JsonNode patch(String path, JsonNode body) throws IOException {
        return call("PATCH", path, body);
    }

    JsonNode delete(String path) throws IOException {
        return call("DELETE", path, null);
    }

    JsonNode call(String method, String path, JsonNode body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(credentials.registry() + "/api/v1" + path))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(Credentials.JSON.writeValueAsBytes(body)));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (credentials.user() != null) {
            b.header("Authorization", credentials.basicHeader());
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new UnreachableException("cannot reach the registry at " + credentials.registry());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode answer;
        try {
            answer = r.body().length == 0 ? Credentials.JSON.createObjectNode() : Credentials.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IOException("the registry answered " + r.statusCode() + " with something that is not JSON");
        }
        if (r.statusCode() >= 400) {
            String message = answer.path("errors").path(0).path("message").asText("HTTP " + r.statusCode());
            if (r.statusCode() == 401) {
                message = "not logged in, or the credentials were refused (" + message + ")";
            }
            throw new ApiException(r.statusCode(), message);
        }
        return answer;
    }

    /** The registry refused the request. */
    static final class ApiException extends IOException {
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** The registry could not be reached at all. */
    static final class UnreachableException extends IOException {
        UnreachableException(String message) {
            super(message);
        }
    }
}
