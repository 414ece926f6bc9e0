package io.slipway.registry.console;

import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.tenancy.TenancyModel.ApiKey;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Console sign-ins, kept in the registry's database (table {@code console_sessions}) so that every
 * node behind a load balancer knows a session and a sign-out ends it everywhere at once. The
 * cookie carries a random secret; only its SHA-256 is stored. A session is good until it expires,
 * and only while its principal still exists under the same name and, when it was opened with an API
 * key, while that key exists: removing either ends the session on the next request, as it revokes
 * the principal's registry tokens.
 */
public final class ConsoleSessions {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SqlDatabase db;
    private final TenancyStore store;
    private final Clock clock;
    private final Duration lifetime;

    /** A live session: who, its CSRF token, and when it ends. */
    public record Session(Principal principal, String csrf, Instant expires) {
        /** Never the CSRF token: a record's toString ends up in logs and exception messages. */
        @Override
        public String toString() {
            return "Session[principal=" + principal + ", csrf=***, expires=" + expires + "]";
        }
    }

    /** A session just opened: the secret for the cookie, shown to the browser once. */
    public record Opened(String secret, Session session) {
        /** Never the cookie's secret. */
        @Override
        public String toString() {
            return "Opened[secret=***, session=" + session + "]";
        }
    }

    public ConsoleSessions(SqlDatabase db, TenancyStore store, Clock clock, Duration lifetime) {
        this.db = db;
        this.store = store;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** Opens a session for {@code principal}; {@code keyId} is the API key it signed in with, or -1. */
    public Opened open(Principal principal, long keyId) {
        String secret = random();
        String csrf = random();
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        db.write(c -> {
            SqlDatabase.update(c, "DELETE FROM console_sessions WHERE expires_at < ?", now.toEpochMilli());
            return SqlDatabase.update(c, "INSERT INTO console_sessions(id_hash, principal_id, subject, key_id, csrf, "
                    + "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)", hash(secret), principal.id(),
                    principal.subject(), keyId, csrf, now.toEpochMilli(), expires.toEpochMilli());
        });
        return new Opened(secret, new Session(principal, csrf, expires));
    }

    /** The session the cookie's secret names, if it is still good. */
    public Optional<Session> find(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > 100) {
            return Optional.empty();
        }
        record Row(long principalId, String subject, long keyId, String csrf, long expires) {
        }
        List<Row> rows = db.list("SELECT principal_id, subject, key_id, csrf, expires_at FROM console_sessions "
                + "WHERE id_hash = ?", rs -> new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                rs.getLong(5)), hash(secret));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Row row = rows.get(0);
        Instant expires = Instant.ofEpochMilli(row.expires());
        if (!clock.instant().isBefore(expires)) {
            close(secret);
            return Optional.empty();
        }
        // The principal is read again on every request: a removed one (or a new one that was given
        // the id of a removed one) is no longer this session's.
        Optional<Principal> principal = store.principal(row.principalId())
                .filter(p -> p.subject().equals(row.subject()));
        if (principal.isEmpty() || row.keyId() >= 0 && store.apiKeys(row.principalId()).stream()
                .map(ApiKey::id).noneMatch(id -> id == row.keyId())) {
            close(secret);
            return Optional.empty();
        }
        return Optional.of(new Session(principal.get(), row.csrf(), expires));
    }

    /** Ends the session (sign-out); nothing happens for an unknown secret. */
    public void close(String secret) {
        if (secret != null && !secret.isEmpty()) {
            db.write(c -> SqlDatabase.update(c, "DELETE FROM console_sessions WHERE id_hash = ?", hash(secret)));
        }
    }

    static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String hash(String secret) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares two tokens in time independent of where they differ. */
    static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }
}
