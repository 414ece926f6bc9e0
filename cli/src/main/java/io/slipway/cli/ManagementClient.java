package io.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.pipeline.ManagementApi;
import io.slipway.pipeline.RegistryAccess;
import java.io.IOException;

/**
 * The registry's management API ({@code /api/v1/}) with the CLI's credentials; pipeline-core's
 * {@link ManagementApi} does the HTTP, so the CLI and the pipeline steps report errors alike.
 */
final class ManagementClient {
    private final ManagementApi api;

    ManagementClient(Credentials credentials) {
        this.api = new ManagementApi(new RegistryAccess(credentials.registry(), credentials.user(), credentials.secret()));
    }

    static String q(String value) {
        return ManagementApi.q(value);
    }

    JsonNode get(String path) throws IOException {
        return api.get(path);
    }

    JsonNode post(String path, JsonNode body) throws IOException {
        return api.post(path, body);
    }

    JsonNode upload(String path, java.nio.file.Path file) throws IOException {
        return api.upload(path, file);
    }

    JsonNode patch(String path, JsonNode body) throws IOException {
        return api.patch(path, body);
    }

    JsonNode delete(String path) throws IOException {
        return api.delete(path);
    }
}
