package io.slipway.registry.listen;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.testing.RegistryHttp;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind a proxy: the token realm and upload locations follow {@code X-Forwarded-*} and RFC 7239
 * {@code Forwarded} from a trusted proxy, and ignore them from anyone else.
 */
class ForwardedHeadersTest {
    @TempDir
    Path tmp;

    private RegistryServer start(String auth, String proxies) throws Exception {
        RegistryConfig c = RegistryConfig.defaults().withAuth(auth).withListen("127.0.0.1:0").withDataDir(tmp.resolve(auth + proxies.replace('/', '_')));
        return RegistryServer.start(c.withListeners(c.listeners().withTrustedProxies(List.of(Cidr.parse(proxies)))));
    }

    private static String realm(HttpResponse<byte[]> r) {
        assertThat(r.statusCode()).isEqualTo(401);
        String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
        return challenge.replaceAll(".*realm=\"([^\"]*)\".*", "$1");
    }

    @Test
    void aTrustedProxyNamesThePublicSchemeAndHost() throws Exception {
        // The test connects from 127.0.0.1, which is the trusted proxy here.
        try (RegistryServer token = start("token", "127.0.0.1/32"); RegistryServer open = start("none", "127.0.0.0/8")) {
            RegistryHttp http = new RegistryHttp(token.uri());
            assertThat(realm(http.get("/v2/", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "registry.example.com")))
                    .isEqualTo("https://registry.example.com/token");
            assertThat(realm(http.get("/v2/", "Forwarded", "for=192.0.2.60;proto=https;host=\"cr.example.org:8443\"")))
                    .isEqualTo("https://cr.example.org:8443/token");
            // No forwarding headers: the listener's own address, as before.
            assertThat(realm(http.get("/v2/"))).isEqualTo("http://127.0.0.1:" + token.port() + "/token");

            RegistryHttp openHttp = new RegistryHttp(open.uri());
            HttpResponse<byte[]> started = openHttp.post("/v2/team/app/blobs/uploads/", new byte[0],
                    "X-Forwarded-Proto", "https", "X-Forwarded-Host", "registry.example.com");
            assertThat(started.statusCode()).isEqualTo(202);
            assertThat(started.headers().firstValue("Location").orElseThrow())
                    .startsWith("https://registry.example.com/v2/team/app/blobs/uploads/");
            // The forwarded location works when the proxy passes it on: the path is the registry's.
            String path = java.net.URI.create(started.headers().firstValue("Location").orElseThrow()).getPath();
            assertThat(openHttp.get(path).statusCode()).isEqualTo(204);
        }
    }

    @Test
    void anUntrustedPeerCannotChooseTheRealmOrLocations() throws Exception {
        try (RegistryServer token = start("token", "10.0.0.0/8"); RegistryServer open = start("none", "192.168.0.0/16")) {
            RegistryHttp http = new RegistryHttp(token.uri());
            String own = "http://127.0.0.1:" + token.port() + "/token";
            assertThat(realm(http.get("/v2/", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "collector.example")))
                    .isEqualTo(own);
            assertThat(realm(http.get("/v2/", "Forwarded", "proto=https;host=collector.example"))).isEqualTo(own);

            HttpResponse<byte[]> started = new RegistryHttp(open.uri()).post("/v2/team/app/blobs/uploads/", new byte[0],
                    "X-Forwarded-Proto", "https", "X-Forwarded-Host", "collector.example", "Forwarded", "host=collector.example");
            assertThat(started.statusCode()).isEqualTo(202);
            assertThat(started.headers().firstValue("Location").orElseThrow()).startsWith("/v2/team/app/blobs/uploads/");
        }
    }

    @Test
    void proxyListsAreAddressBlocks() {
        assertThat(Cidr.parse("10.1.2.3/8").contains(address("10.200.0.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(address("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("::1").contains(address("::1"))).isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(address("10.0.0.1"))).isFalse();
        for (String bad : new String[] {"proxy.example.com", "10.0.0.0/33", "10.0.0.0/x", ""}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cidr.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static java.net.InetAddress address(String a) {
        try {
            return java.net.InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
