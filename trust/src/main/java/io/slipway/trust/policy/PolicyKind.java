package io.slipway.trust.policy;

/** The two kinds of image policy, as Portieris has them. */
public enum PolicyKind {
    /** Applies to one namespace; when a namespace has any, they alone decide for it. */
    IMAGE_POLICY("ImagePolicy"),
    /** Applies registry-wide, to namespaces that have no ImagePolicy of their own. */
    CLUSTER_IMAGE_POLICY("ClusterImagePolicy");

    private final String kindName;

    PolicyKind(String kindName) {
        this.kindName = kindName;
    }

    /** The {@code kind:} of the YAML document. */
    public String kindName() {
        return kindName;
    }
}
