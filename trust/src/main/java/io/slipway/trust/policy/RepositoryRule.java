package io.slipway.trust.policy;

import java.util.Objects;

/** One entry of a policy: the repositories it covers and what their images must satisfy. */
public record RepositoryRule(RepositoryPattern pattern, Requirements requirements) {

    public RepositoryRule {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(requirements, "requirements");
    }
}
