package io.slipway.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.registry.tenancy.Role.Action;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and verifies the registry's bearer tokens: compact JWTs signed with ES256 (ECDSA P-256,
 * SHA-256) whose {@code access} claim lists exactly what was granted, with the {@link TokenKey} every
 * node shares.
 *
 * <p>A verified token is remembered (by its exact text, until it expires) so that the ECDSA check
 * is paid once per token, not once per request.
 */
public final class TokenService {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final Duration LEEWAY = Duration.ofSeconds(30);
    private static final int CACHE_LIMIT = 100_000;

    private final String issuer;
    private final String audience;
    private final Duration lifetime;
    private final Clock clock;
    private final String kid;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final Map<String, Claims> verified = new ConcurrentHashMap<>();

    /** What a valid token says. */
    public record Claims(String subject, long principalId, String account, Instant issued, Instant expires,
            List<Scope> access) {

        public EnumSet<Action> actionsOn(String repository) {
            EnumSet<Action> actions = EnumSet.noneOf(Action.class);
            for (Scope s : access) {
                if (!s.catalog() && s.name().equals(repository)) {
                    actions.addAll(s.actions());
                }
            }
            return actions;
        }

        public boolean catalog() {
            return access.stream().anyMatch(Scope::catalog);
        }
    }

    /** A freshly issued token. */
    public record Issued(String token, Instant issuedAt, Duration lifetime) {
        /** Never the secret: a record's toString ends up in logs and exception messages. */
        @Override
        public String toString() {
            return "Issued[token=***, issuedAt=" + issuedAt + ", lifetime=" + lifetime + "]";
        }

    }

    public TokenService(TokenKey key, String issuer, String audience, Duration lifetime, Clock clock) {
        this.issuer = issuer;
        this.audience = audience;
        this.lifetime = lifetime;
        this.clock = clock;
        this.privateKey = key.privateKey();
        this.publicKey = key.publicKey();
        this.kid = key.kid();
    }

    /** The key this service signs with. */
    public TokenKey key() {
        return new TokenKey(kid, privateKey, publicKey);
    }

    public String audience() {
        return audience;
    }

    public Issued issue(String subject, long principalId, String account, List<Scope> granted) {
        Instant now = clock.instant();
        ObjectNode header = JSON.createObjectNode().put("alg", "ES256").put("typ", "JWT").put("kid", kid);
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("aud", audience);
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("ims", now.toEpochMilli()); // iat to the millisecond, compared with a revocation's time
        claims.put("pid", principalId);
        if (account != null) {
            claims.put("act", account);
        }
        ArrayNode access = claims.putArray("access");
        for (Scope s : granted) {
            ObjectNode a = access.addObject();
            a.put("type", s.type());
            a.put("name", s.name());
            ArrayNode actions = a.putArray("actions");
            if (s.catalog()) {
                actions.add("*");
            } else {
                s.actions().forEach(x -> actions.add(x.scopeName()));
            }
        }
        try {
            String signingInput = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
            signer.initSign(privateKey);
            signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return new Issued(signingInput + "." + B64.encodeToString(signer.sign()), now, lifetime);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    /**
     * Verifies signature, algorithm, key id, issuer, audience, expiry and not-before; returns the
     * claims, or null for any token that fails a check (the caller answers 401 either way).
     */
    public Claims verify(String token) {
        Instant now = clock.instant();
        Claims cached = verified.get(token);
        if (cached != null) {
            if (now.isBefore(cached.expires().plus(LEEWAY))) {
                return cached;
            }
            verified.remove(token);
            return null;
        }
        Claims claims = verifyUncached(token, now);
        if (claims != null) {
            if (verified.size() >= CACHE_LIMIT) {
                verified.entrySet().removeIf(e -> !now.isBefore(e.getValue().expires()));
                if (verified.size() >= CACHE_LIMIT) {
                    verified.clear();
                }
            }
            verified.put(token, claims);
        }
        return claims;
    }

    private Claims verifyUncached(String token, Instant now) {
        if (token == null || token.length() > 16_384) {
            return null;
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode header = JSON.readTree(B64D.decode(parts[0]));
            if (!"ES256".equals(header.path("alg").asText()) || !kid.equals(header.path("kid").asText())) {
                return null;
            }
            byte[] signature = B64D.decode(parts[2]);
            if (signature.length != 64) {
                return null;
            }
            Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
            verifier.initVerify(publicKey);
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(signature)) {
                return null;
            }
            JsonNode c = JSON.readTree(B64D.decode(parts[1]));
            if (!issuer.equals(c.path("iss").asText()) || !audienceMatches(c.get("aud"))) {
                return null;
            }
            if (!c.path("exp").canConvertToLong() || !c.path("nbf").canConvertToLong()) {
                return null;
            }
            Instant exp = Instant.ofEpochSecond(c.path("exp").asLong());
            Instant nbf = Instant.ofEpochSecond(c.path("nbf").asLong());
            if (!now.isBefore(exp.plus(LEEWAY)) || now.plus(LEEWAY).isBefore(nbf)) {
                return null;
            }
            List<Scope> access = new ArrayList<>();
            for (JsonNode a : c.path("access")) {
                String type = a.path("type").asText();
                String name = a.path("name").asText();
                List<String> actions = new ArrayList<>();
                a.path("actions").forEach(x -> actions.add(x.asText()));
                Scope s = Scope.parse(type + ":" + name + ":" + String.join(",", actions));
                if (s != null) {
                    access.add(s);
                }
            }
            Instant issued = c.path("ims").canConvertToLong() ? Instant.ofEpochMilli(c.path("ims").asLong())
                    : Instant.ofEpochSecond(c.path("iat").asLong(0));
            return new Claims(c.path("sub").asText(), c.path("pid").asLong(-1),
                    c.hasNonNull("act") ? c.get("act").asText() : null, issued, exp, List.copyOf(access));
        } catch (IOException | IllegalArgumentException | GeneralSecurityException | java.time.DateTimeException
                | ArithmeticException e) {
            // DateTimeException/ArithmeticException: an exp, nbf or ims beyond what an Instant holds.
            return null;
        }
    }

    private boolean audienceMatches(JsonNode aud) {
        if (aud == null) {
            return false;
        }
        if (aud.isArray()) {
            for (JsonNode a : aud) {
                if (audience.equals(a.asText())) {
                    return true;
                }
            }
            return false;
        }
        return audience.equals(aud.asText());
    }
}
