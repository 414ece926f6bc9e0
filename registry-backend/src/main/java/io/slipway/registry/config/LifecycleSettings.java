package io.slipway.registry.config;

import java.time.Duration;

/**
 * The storage lifecycle's schedule ({@code trash:} and {@code gc:} in the configuration file).
 *
 * @param trashRetention how long an image removed with {@code image-rm} (or by retention) can be restored
 * @param gcInterval     how often garbage collection runs on its own (0: only on demand)
 * @param gcGrace        how old an unreferenced blob must be before garbage collection takes it
 */
public record LifecycleSettings(Duration trashRetention, Duration gcInterval, Duration gcGrace) {
    public LifecycleSettings {
        if (trashRetention.isNegative() || gcInterval.isNegative() || gcGrace.isNegative()) {
            throw new IllegalArgumentException("trash.retention, gc.interval and gc.grace must not be negative");
        }
    }

    public static LifecycleSettings defaults() {
        return new LifecycleSettings(Duration.ofDays(30), Duration.ofHours(24), Duration.ofHours(1));
    }
}
