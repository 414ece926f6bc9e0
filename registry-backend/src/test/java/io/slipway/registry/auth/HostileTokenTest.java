package io.slipway.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.testing.IamFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Tokens that must never open the registry: forged, unsigned, expired, for someone else, widened. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileTokenTest {
    @TempDir
    static Path data;

    IamFixture iam;
    String pullDev;

    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    @BeforeAll
    void setUp() throws Exception {
        iam = new IamFixture(data);
        pullDev = iam.token(iam.keys.get("reader"), "repository:acme-dev/app:pull");
    }

    @AfterAll
    void tearDown() throws Exception {
        iam.close();
    }

    int pull(String token, String repo) {
        return iam.http.get("/v2/" + repo + "/tags/list", "Authorization", "Bearer " + token).statusCode();
    }

    @Test
    void theHonestTokenWorks() {
        assertThat(pull(pullDev, "acme-dev/app")).isEqualTo(404); // allowed: the repository is just empty
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        String[] parts = pullDev.split("\\.");
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(g.generateKeyPair().getPrivate());
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(pull(parts[0] + "." + parts[1] + "." + B64.encodeToString(s.sign()), "acme-dev/app")).isEqualTo(401);
    }

    @Test
    void algNoneIsRefused() {
        String[] parts = pullDev.split("\\.");
        String header = B64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(pull(header + "." + parts[1] + ".", "acme-dev/app")).isEqualTo(401);
        assertThat(pull(header + "." + parts[1] + "." + parts[2], "acme-dev/app")).isEqualTo(401);
        String hs = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(pull(hs + "." + parts[1] + "." + parts[2], "acme-dev/app")).isEqualTo(401);
    }

    @Test
    void expiredAndNotYetValidTokensAreRefused() {
        TokenService past = new TokenService(iam.server.tokens().key(), "slipway", "slipway", Duration.ofMinutes(5),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
        String expired = past.issue("user:acme/reader", 1, "acme",
                List.of(Scope.repository("acme-dev/app", EnumSet.of(Action.PULL)))).token();
        assertThat(pull(expired, "acme-dev/app")).isEqualTo(401);
        TokenService future = new TokenService(iam.server.tokens().key(), "slipway", "slipway", Duration.ofMinutes(5),
                Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC));
        String early = future.issue("user:acme/reader", 1, "acme",
                List.of(Scope.repository("acme-dev/app", EnumSet.of(Action.PULL)))).token();
        assertThat(pull(early, "acme-dev/app")).isEqualTo(401);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        TokenService other = new TokenService(iam.server.tokens().key(), "slipway", "other-registry",
                Duration.ofMinutes(5), Clock.systemUTC());
        String token = other.issue("user:acme/reader", 1, "acme",
                List.of(Scope.repository("acme-dev/app", EnumSet.of(Action.PULL)))).token();
        assertThat(pull(token, "acme-dev/app")).isEqualTo(401);
    }

    @Test
    void aWidenedScopeBreaksTheSignature() throws Exception {
        String[] parts = pullDev.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String widened = claims.replace("\"actions\":[\"pull\"]", "\"actions\":[\"pull\",\"push\",\"delete\"]")
                .replace("acme-dev/app", "acme-prod/app");
        assertThat(widened).isNotEqualTo(claims);
        String forged = parts[0] + "." + B64.encodeToString(widened.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(pull(forged, "acme-prod/app")).isEqualTo(401);
        assertThat(iam.http.post("/v2/acme-prod/app/blobs/uploads/", new byte[0], "Authorization", "Bearer " + forged)
                .statusCode()).isEqualTo(401);
    }

    @Test
    void aTokenOfOneAccountDoesNotOpenAnother() throws Exception {
        assertThat(pull(pullDev, "globex-app/app")).isEqualTo(401);
        // Asking for the other account's repository grants nothing.
        String asked = iam.token(iam.keys.get("reader"), "repository:globex-app/app:pull,push,delete");
        assertThat(IamFixture.access(asked)).isEmpty();
        assertThat(pull(asked, "globex-app/app")).isEqualTo(401);
    }

    @Test
    void garbageIsRefusedWithoutAServerError() {
        for (String junk : List.of("", "x", "a.b.c", "....", "e30.e30.e30", "Zm9v." + "A".repeat(12000) + ".x",
                "%%%.%%%.%%%")) {
            int status = pull(junk, "acme-dev/app");
            assertThat(status).as(junk.length() > 40 ? junk.substring(0, 40) : junk).isEqualTo(401);
        }
        assertThat(iam.http.get("/v2/acme-dev/app/tags/list", "Authorization", "Basic !!!").statusCode()).isEqualTo(401);
        // Oversized headers are cut off by the server's header limit before any parsing.
        assertThat(pull("A".repeat(40_000), "acme-dev/app")).isEqualTo(431);
        assertThat(iam.http.get("/token?service=slipway", "Authorization", "Basic !!!").statusCode()).isIn(200, 401);
        assertThat(iam.http.get("/token?service=evil").statusCode()).isEqualTo(400);
        // The API root challenges without a token (clients learn the realm there) and opens with one.
        var root = iam.http.get("/v2/");
        assertThat(root.statusCode()).isEqualTo(401);
        assertThat(root.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer realm=");
        assertThat(iam.http.get("/v2/", "Authorization", "Bearer " + pullDev).statusCode()).isEqualTo(200);
        assertThat(iam.http.get("/v2/acme-dev/app/tags/list").headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer realm=\"http://127.0.0.1:")
                .contains("service=\"slipway\"")
                .contains("scope=\"repository:acme-dev/app:pull\"");
    }
}
