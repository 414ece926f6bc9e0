package io.slipway.registry.lifecycle;

import static io.slipway.testing.RegistryHttp.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import io.slipway.registry.storage.S3Settings;
import io.slipway.registry.testing.PostgresServer;
import io.slipway.registry.testing.S3Server;
import io.slipway.testing.RegistryHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The registry the storage lifecycle tests run against, on either stack: the embedded default (SQLite and
 * files under the data folder) or PostgreSQL and S3 (S3Proxy), without authentication, with the one
 * management API call they all make.
 */
final class StackRegistry implements AutoCloseable {
    static final String EMBEDDED = "embedded";
    static final String POSTGRES_S3 = "postgres+s3";
    private static final ObjectMapper JSON = new ObjectMapper();

    final RegistryServer server;
    final RegistryHttp http;
    /** The bucket of the postgres+s3 stack; null on the embedded one. */
    final S3Settings s3;

    private StackRegistry(RegistryServer server, S3Settings s3) {
        this.server = server;
        this.http = new RegistryHttp(server.uri());
        this.s3 = s3;
    }

    /** The stacks, for {@code @MethodSource}. */
    static Stream<String> stacks() {
        return Stream.of(EMBEDDED, POSTGRES_S3);
    }

    /**
     * Starts a registry on {@code stack} with its data in {@code dir} ({@code settings} changes the
     * configuration; PostgreSQL gets a pool of {@code poolSize}) and creates {@code namespaces}.
     */
    static StackRegistry start(String stack, Path dir, int poolSize, UnaryOperator<RegistryConfig> settings,
            String... namespaces) throws Exception {
        RegistryConfig config = settings.apply(RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(dir)
                .withAuth("none"));
        S3Settings s3 = null;
        if (stack.equals(POSTGRES_S3)) {
            s3 = S3Server.shared().newBucket(5 << 20);
            config = config.withStores(new StoreSettings(StoreSettings.S3, s3, StoreSettings.POSTGRES,
                    PostgresServer.shared().newDatabase(poolSize)));
        } else if (!stack.equals(EMBEDDED)) {
            throw new IllegalArgumentException("no stack " + stack);
        }
        StackRegistry registry = new StackRegistry(RegistryServer.start(config), s3);
        try {
            for (String namespace : namespaces) {
                registry.api("POST", "/api/v1/namespaces", "{\"name\":\"" + namespace + "\"}", 201);
            }
        } catch (Exception | AssertionError e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** Calls the management API with a JSON body (or none) and expects {@code expected}; the answer's JSON. */
    JsonNode api(String method, String path, String body, int expected) throws Exception {
        HttpResponse<byte[]> r = http.send(http.request(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertThat(r.statusCode()).as(method + " " + path + ": " + text(r)).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
