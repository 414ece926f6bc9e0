package io.slipway.trust.policy;

import io.slipway.trust.Image;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Allow or deny, with every reason: which policy and rule decided, and the outcome of each
 * requirement, passed or failed, so an admission message or {@code slipway policy check} can say
 * exactly what to fix.
 *
 * @param policy  the qualified name of the deciding policy, or null when none matched
 * @param pattern the repository pattern of the deciding rule, or null when none matched
 */
public record PolicyDecision(Image image, boolean allowed, String policy, String pattern, List<Reason> reasons) {

    /** One requirement's outcome ({@code policy}, {@code trust} or {@code vulnerability}). */
    public record Reason(String requirement, boolean satisfied, String message) {
        @Override
        public String toString() {
            return requirement + ": " + message;
        }
    }

    public PolicyDecision {
        reasons = List.copyOf(reasons);
    }

    /** The reasons that deny (empty when allowed). */
    public List<Reason> failures() {
        return reasons.stream().filter(r -> !r.satisfied()).toList();
    }

    /**
     * One line: {@code allow <image>: policy: …; trust: …}, or
     * {@code deny <image> under <policy> rule "<pattern>": trust: …; vulnerability: …} naming only
     * what failed.
     */
    public String message() {
        if (allowed) {
            return "allow " + image + ": " + reasons.stream().map(Reason::toString).collect(Collectors.joining("; "));
        }
        String under = policy == null ? "" : " under " + policy + " rule \"" + pattern + "\"";
        return "deny " + image + under + ": " + failures().stream().map(Reason::toString).collect(Collectors.joining("; "));
    }
}
