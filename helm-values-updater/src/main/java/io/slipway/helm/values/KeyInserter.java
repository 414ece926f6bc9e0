package io.slipway.helm.values;

import io.slipway.helm.values.YamlNode.Entry;
import io.slipway.helm.values.YamlNode.Mapping;
import io.slipway.helm.values.YamlNode.Sequence;
import java.util.List;

/**
 * Adds missing keys under an existing mapping: in a block mapping as new lines right after its last
 * entry, indented like its keys (deeper keys by the file's own indentation step); in a flow mapping
 * as {@code , key: value} after its last entry.
 */
final class KeyInserter {
    private static final int DEFAULT_INDENT_STEP = 2;

    private final SourceText source;
    private final YamlDocument document;

    KeyInserter(SourceText source, YamlDocument document) {
        this.source = source;
        this.document = document;
    }

    String insert(ValuesFile.Location.Missing missing, String value) {
        Mapping parent = missing.parent();
        return parent.flow() ? insertFlow(parent, missing.keys(), value) : insertBlock(parent, missing.keys(), value);
    }

    private String insertFlow(Mapping parent, List<String> keys, String value) {
        StringBuilder added = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            added.append(ScalarWriter.writeNew(keys.get(i), true)).append(": ");
            if (i < keys.size() - 1) {
                added.append('{');
            }
        }
        added.append(ScalarWriter.writeNew(value, true)).append("}".repeat(keys.size() - 1));
        String text = source.text();
        int at;
        if (parent.entries().isEmpty()) {
            at = text.lastIndexOf('}', parent.span().end() - 1);
        } else {
            at = contentEnd(parent.entries().get(parent.entries().size() - 1));
            added.insert(0, ", ");
        }
        return text.substring(0, at) + added + text.substring(at);
    }

    private String insertBlock(Mapping parent, List<String> keys, String value) {
        String text = source.text();
        for (Entry entry : parent.entries()) {
            // `? key` puts the key after the indicator: a line indented like it would belong to the key
            int start = entry.key().span().start();
            int line = text.lastIndexOf('\n', start - 1) + 1;
            if (text.substring(line, Math.min(text.length(), Math.max(line, start))).strip().startsWith("?")) {
                throw new ValuesException(ValuesException.Reason.UNSUPPORTED_LAYOUT, "the mapping at line "
                        + (entry.key().span().line() + 1) + " writes its keys explicitly (`? key`); write it as "
                        + "`key: value` lines to let keys be added to it");
            }
        }
        String lineBreak = source.lineBreak();
        int indent = parent.entries().get(0).key().span().column();
        int step = indentStep();
        StringBuilder added = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            added.append(" ".repeat(indent + i * step)).append(ScalarWriter.writeNew(keys.get(i), false)).append(':');
            if (i < keys.size() - 1) {
                added.append(lineBreak);
            }
        }
        added.append(' ').append(ScalarWriter.writeNew(value, false)).append(lineBreak);
        int end = contentEnd(parent.entries().get(parent.entries().size() - 1));
        int at;
        if (end > 0 && text.charAt(end - 1) == '\n') {
            at = end; // a block scalar ends after its own line break
        } else {
            int lf = text.indexOf('\n', end);
            if (lf < 0) {
                return text + lineBreak + added; // the last line had no line break
            }
            at = lf + 1;
        }
        return text.substring(0, at) + added + text.substring(at);
    }

    private static int contentEnd(Entry entry) {
        return Math.max(contentEnd(entry.key()), contentEnd(entry.value()));
    }

    // A block collection's end mark sits at the next token, possibly lines later; its last leaf's end is exact.
    private static int contentEnd(YamlNode node) {
        if (node instanceof Mapping m && !m.flow() && !m.entries().isEmpty()) {
            return contentEnd(m.entries().get(m.entries().size() - 1));
        }
        if (node instanceof Sequence s && !s.flow() && !s.items().isEmpty()) {
            return contentEnd(s.items().get(s.items().size() - 1));
        }
        return node.span().end();
    }

    /** The smallest indentation step between a block mapping's keys and its nested block mapping's keys. */
    private int indentStep() {
        int step = Integer.MAX_VALUE;
        step = Math.min(step, indentStep(document.root()));
        return step == Integer.MAX_VALUE ? DEFAULT_INDENT_STEP : step;
    }

    private static int indentStep(YamlNode node) {
        int step = Integer.MAX_VALUE;
        if (node instanceof Mapping m && !m.flow()) {
            for (Entry e : m.entries()) {
                if (e.value() instanceof Mapping child && !child.flow() && !child.entries().isEmpty()) {
                    int diff = child.entries().get(0).key().span().column() - e.key().span().column();
                    if (diff > 0) {
                        step = Math.min(step, diff);
                    }
                }
                step = Math.min(step, indentStep(e.value()));
            }
        } else if (node instanceof Sequence s && !s.flow()) {
            for (YamlNode item : s.items()) {
                step = Math.min(step, indentStep(item));
            }
        }
        return step;
    }
}
