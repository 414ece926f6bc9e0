package io.slipway.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz tests of the bearer-token (JWT) parser: {@link TokenService#verify} answers every token with
 * its claims or null (a 401), never an exception. {@code token} feeds raw text, which cannot get
 * past the signature; {@code signedClaims} signs the fuzzer's header and claims with the registry's
 * own key, so the claim parsing behind the signature check is reached too.
 */
class TokenFuzzTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private static TokenKey key;
    private static TokenService tokens;

    @BeforeAll
    static void start() {
        key = TokenKey.ephemeral();
        tokens = new TokenService(key, "slipway", "slipway", Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @FuzzTest
    void token(byte[] input) {
        String token = new String(input, StandardCharsets.UTF_8);
        TokenService.Claims claims = tokens.verify(token);
        // Nobody but the registry holds the key: random text never verifies.
        assertThat(claims).isNull();
    }

    /**
     * The input is {@code <header JSON>\0<claims JSON>}; {@code KID} in the header stands for the
     * registry's key id. The test signs {@code base64url(header).base64url(claims)} with the key.
     */
    @FuzzTest
    void signedClaims(byte[] input) throws Exception {
        int nul = indexOf(input, (byte) 0);
        byte[] header = nul < 0 ? input : java.util.Arrays.copyOfRange(input, 0, nul);
        byte[] claims = nul < 0 ? new byte[0] : java.util.Arrays.copyOfRange(input, nul + 1, input.length);
        header = new String(header, StandardCharsets.UTF_8).replace("KID", key.kid()).getBytes(StandardCharsets.UTF_8);
        String signingInput = B64.encodeToString(header) + "." + B64.encodeToString(claims);
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(key.privateKey());
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String token = signingInput + "." + B64.encodeToString(signer.sign());

        TokenService.Claims verified = tokens.verify(token);
        if (verified != null) {
            assertThat(verified.expires()).isAfter(NOW.minus(Duration.ofMinutes(1)));
            assertThat(verified.access()).doesNotContainNull();
            verified.catalog();
            verified.actionsOn("team/app");
            // The second answer comes from the cache and is the same.
            assertThat(tokens.verify(token)).isEqualTo(verified);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
