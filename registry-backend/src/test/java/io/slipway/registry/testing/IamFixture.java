package io.slipway.registry.testing;

import io.slipway.testing.RegistryHttp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token-authenticated registry with two accounts set up through the management API, as an
 * administrator would: {@code acme} (namespaces acme-dev, acme-prod, acme-pub public) with a user
 * of each role, a CI service ID that may push to acme-dev only and a prod-deployer that alone may
 * push to acme-prod; {@code globex} (namespace globex-app) with a manager.
 */
public final class IamFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final RegistryServer server;
    public final RegistryHttp http;
    public final String adminKey;
    /** API keys by principal: reader, writer, manager, ci, deployer, globex. */
    public final Map<String, String> keys = new LinkedHashMap<>();

    public IamFixture(Path data) throws Exception {
        this(data, false);
    }

    public IamFixture(Path data, boolean anonymousPull) throws Exception {
        this(data, anonymousPull, c -> c);
    }

    /** The fixture on a configuration {@code adjust} may change (limits, say). */
    public IamFixture(Path data, boolean anonymousPull, java.util.function.UnaryOperator<RegistryConfig> adjust)
            throws Exception {
        RegistryConfig c = adjust.apply(RegistryConfig.defaults().withListen("127.0.0.1:0").withDataDir(data));
        var a = c.authSettings();
        server = RegistryServer.start(c.withAuthSettings(new RegistryConfig.AuthSettings("token", anonymousPull,
                a.bootstrapAccount(), a.tokenLifetime(), a.realm(), a.service())));
        http = new RegistryHttp(server.uri());
        adminKey = server.bootstrap().generatedKey();
        assertThat(adminKey).startsWith("slw_");

        api(adminKey, "POST", "/api/v1/accounts", "{\"name\":\"acme\"}", 201);
        api(adminKey, "POST", "/api/v1/accounts", "{\"name\":\"globex\"}", 201);
        api(adminKey, "POST", "/api/v1/users", "{\"account\":\"acme\",\"name\":\"manager\",\"role\":\"Manager\"}", 201);
        api(adminKey, "POST", "/api/v1/users", "{\"account\":\"globex\",\"name\":\"globex\",\"role\":\"Manager\"}", 201);
        keys.put("manager", key(adminKey, "{\"account\":\"acme\",\"user\":\"manager\"}"));
        keys.put("globex", key(adminKey, "{\"account\":\"globex\",\"user\":\"globex\"}"));

        // From here on the account's own manager does the work.
        String m = keys.get("manager");
        for (String ns : new String[] {"acme-dev", "acme-prod"}) {
            api(m, "POST", "/api/v1/namespaces", "{\"name\":\"" + ns + "\"}", 201);
        }
        api(m, "POST", "/api/v1/namespaces", "{\"name\":\"acme-pub\",\"public\":true}", 201);
        api(keys.get("globex"), "POST", "/api/v1/namespaces", "{\"name\":\"globex-app\"}", 201);
        api(m, "POST", "/api/v1/users", "{\"name\":\"reader\",\"role\":\"Reader\"}", 201);
        api(m, "POST", "/api/v1/users", "{\"name\":\"writer\",\"password\":\"correct horse battery\"}", 201);
        api(m, "POST", "/api/v1/policies", "{\"user\":\"writer\",\"role\":\"Writer\",\"namespace\":\"acme-dev\"}", 201);
        api(m, "POST", "/api/v1/policies", "{\"user\":\"writer\",\"role\":\"Reader\",\"namespace\":\"acme-prod\"}", 201);
        api(m, "POST", "/api/v1/service-ids", "{\"name\":\"ci\"}", 201);
        api(m, "POST", "/api/v1/policies", "{\"serviceId\":\"ci\",\"role\":\"Writer\",\"namespace\":\"acme-dev\"}", 201);
        api(m, "POST", "/api/v1/service-ids", "{\"name\":\"deployer\"}", 201);
        api(m, "POST", "/api/v1/policies", "{\"serviceId\":\"deployer\",\"role\":\"Writer\",\"namespace\":\"acme-prod\","
                + "\"repository\":\"app\"}", 201);
        keys.put("reader", key(m, "{\"user\":\"reader\"}"));
        keys.put("writer", key(m, "{\"user\":\"writer\"}"));
        keys.put("ci", key(m, "{\"serviceId\":\"ci\"}"));
        keys.put("deployer", key(m, "{\"serviceId\":\"deployer\"}"));
    }

    private String key(String caller, String body) throws Exception {
        return api(caller, "POST", "/api/v1/api-keys", body, 201).path("apiKey").asText();
    }

    public static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** Calls the management API with an API key and checks the status. */
    public JsonNode api(String apiKey, String method, String path, String body, int expected) throws Exception {
        HttpResponse<byte[]> r = apiCall(apiKey, method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + " " + RegistryHttp.text(r)).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    public HttpResponse<byte[]> apiCall(String apiKey, String method, String path, String body) {
        var b = http.request(path).header("Content-Type", "application/json");
        if (apiKey != null) {
            b.header("Authorization", basic("iamapikey", apiKey));
        }
        b.method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build());
    }

    /** A bearer token for {@code scope}, got with an API key (null: anonymously). */
    public String token(String apiKey, String... scopes) throws Exception {
        StringBuilder q = new StringBuilder("/token?service=slipway");
        for (String s : scopes) {
            q.append("&scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        HttpResponse<byte[]> r = apiKey == null ? http.get(q.toString())
                : http.get(q.toString(), "Authorization", basic("iamapikey", apiKey));
        assertThat(r.statusCode()).as(RegistryHttp.text(r)).isEqualTo(200);
        return JSON.readTree(r.body()).path("token").asText();
    }

    /** The access claim of a token, decoded (the test trusts the server's signature here). */
    public static JsonNode access(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).path("access");
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
