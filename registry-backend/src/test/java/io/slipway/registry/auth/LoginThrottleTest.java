package io.slipway.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The backoff rule, on a clock the test moves. */
class LoginThrottleTest {
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void freeFailuresThenDoublingWaitsUpToTheLongest() {
        MovableClock clock = new MovableClock();
        LoginThrottle t = new LoginThrottle(clock, 3, 100, Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            t.check("user:a", "10.0.0.1");
            t.failed("user:a", "10.0.0.1");
        }
        t.check("user:a", "10.0.0.1"); // three were free
        t.failed("user:a", "10.0.0.1");
        assertThatThrownBy(() -> t.check("user:a", "10.0.0.2")).isInstanceOfSatisfying(LoginThrottle.Throttled.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
        t.check("user:b", "10.0.0.1"); // another principal from the same address is not held up
        clock.now = clock.now.plusSeconds(1);
        t.check("user:a", "10.0.0.1");
        t.failed("user:a", "10.0.0.1");
        assertThatThrownBy(() -> t.check("user:a", "10.0.0.1")).isInstanceOfSatisfying(LoginThrottle.Throttled.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(2));
        for (int i = 0; i < 10; i++) {
            t.failed("user:a", "10.0.0.1");
        }
        assertThatThrownBy(() -> t.check("user:a", "10.0.0.1")).isInstanceOfSatisfying(LoginThrottle.Throttled.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(10));
        // A success clears the principal; a quiet spell longer than the longest wait clears any count.
        t.succeeded("user:a");
        t.check("user:a", "10.0.0.1");
        t.failed("user:a", "10.0.0.1");
        t.check("user:a", "10.0.0.1");
    }

    @Test
    void anAddressIsThrottledAcrossPrincipals() {
        MovableClock clock = new MovableClock();
        LoginThrottle t = new LoginThrottle(clock, 100, 5, Duration.ofMinutes(15));
        for (int i = 0; i < 6; i++) {
            t.failed("user:u" + i, "10.0.0.9");
        }
        assertThatThrownBy(() -> t.check("user:fresh", "10.0.0.9")).isInstanceOf(LoginThrottle.Throttled.class);
        t.check("user:fresh", "10.0.0.10");
        clock.now = clock.now.plus(Duration.ofMinutes(16));
        t.check("user:fresh", "10.0.0.9");
    }
}
