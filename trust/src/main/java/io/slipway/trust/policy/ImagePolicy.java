package io.slipway.trust.policy;

import java.util.List;
import java.util.Objects;

/**
 * An ImagePolicy or ClusterImagePolicy document.
 *
 * @param namespace the namespace an ImagePolicy governs; null for a ClusterImagePolicy
 */
public record ImagePolicy(PolicyKind kind, String name, String namespace, List<RepositoryRule> repositories) {

    public ImagePolicy {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        repositories = List.copyOf(repositories);
        if (kind == PolicyKind.IMAGE_POLICY && (namespace == null || namespace.isEmpty())) {
            throw new InvalidPolicyException("ImagePolicy " + name + " needs metadata.namespace");
        }
        if (kind == PolicyKind.CLUSTER_IMAGE_POLICY && namespace != null) {
            throw new InvalidPolicyException("ClusterImagePolicy " + name + " applies to every namespace: remove metadata.namespace");
        }
    }

    /** {@code ImagePolicy/team-a/prod} or {@code ClusterImagePolicy/default}: how decisions name it. */
    public String qualifiedName() {
        return kind.kindName() + "/" + (namespace == null ? "" : namespace + "/") + name;
    }
}
