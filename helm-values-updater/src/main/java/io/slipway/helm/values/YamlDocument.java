package io.slipway.helm.values;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * One document of a YAML stream: its root (null for an empty document) and the nodes that some
 * alias refers to, which an edit must not change in place because the change would show up
 * wherever the alias is used.
 */
record YamlDocument(YamlNode root, Set<YamlNode> aliasedNodes) {

    static Set<YamlNode> newIdentitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }

    boolean isAliased(YamlNode node) {
        return aliasedNodes.contains(node);
    }
}
