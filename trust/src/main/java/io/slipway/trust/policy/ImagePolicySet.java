package io.slipway.trust.policy;

import io.slipway.trust.DockerReference;
import java.util.List;
import java.util.Optional;

/**
 * All stored policies, and which rule decides for an image, by Portieris' rules: a namespace that
 * has ImagePolicies is governed by them alone (ClusterImagePolicies are not consulted even when
 * none of them matches); other namespaces by the ClusterImagePolicies. Among matching rules the
 * most specific pattern wins; between equally specific ones, the first stored.
 */
public final class ImagePolicySet {

    /** The rule that decides, and the policy it belongs to. */
    public record Selection(ImagePolicy policy, RepositoryRule rule) {
    }

    private final List<ImagePolicy> policies;

    public ImagePolicySet(List<ImagePolicy> policies) {
        this.policies = List.copyOf(policies);
    }

    public List<ImagePolicy> policies() {
        return policies;
    }

    /** The policies that govern {@code namespace}. */
    public List<ImagePolicy> governing(String namespace) {
        List<ImagePolicy> own = policies.stream()
                .filter(p -> p.kind() == PolicyKind.IMAGE_POLICY && p.namespace().equals(namespace)).toList();
        return own.isEmpty() ? policies.stream().filter(p -> p.kind() == PolicyKind.CLUSTER_IMAGE_POLICY).toList() : own;
    }

    /** The rule deciding for {@code image} in {@code namespace}, or empty when none matches (deny). */
    public Optional<Selection> select(String namespace, DockerReference image) {
        Selection best = null;
        for (ImagePolicy policy : governing(namespace)) {
            for (RepositoryRule rule : policy.repositories()) {
                // Strictly greater: between equally specific rules the first stored wins.
                if (rule.pattern().matches(image)
                        && (best == null || rule.pattern().specificity() > best.rule().pattern().specificity())) {
                    best = new Selection(policy, rule);
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
