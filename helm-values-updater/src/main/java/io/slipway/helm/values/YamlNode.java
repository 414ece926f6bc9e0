package io.slipway.helm.values;

import java.util.List;
import org.snakeyaml.engine.v2.common.ScalarStyle;

/**
 * A node of a YAML document with its position, built from parser events rather than the composed
 * graph: the composer resolves aliases to the anchored node and forgets where the alias was, and
 * an edit must know both.
 */
sealed interface YamlNode {
    Span span();

    /** The anchor this node defines, or null. */
    String anchor();

    record Scalar(String value, ScalarStyle style, Span span, String anchor, boolean inFlow) implements YamlNode {
    }

    record Mapping(List<Entry> entries, boolean flow, Span span, String anchor) implements YamlNode {
    }

    record Sequence(List<YamlNode> items, boolean flow, Span span, String anchor) implements YamlNode {
    }

    /** {@code *name}; the target is the node the anchor named when the alias was read. */
    record Alias(String name, YamlNode target, Span span) implements YamlNode {
        @Override
        public String anchor() {
            return null;
        }
    }

    record Entry(YamlNode key, YamlNode value) {
        /** The key's text when it is a scalar, else null (complex keys never match a path). */
        String keyText() {
            return key instanceof Scalar s ? s.value() : null;
        }

        boolean isMergeKey() {
            return key instanceof Scalar s && s.style() == ScalarStyle.PLAIN && s.value().equals("<<");
        }
    }
}
