package io.slipway.helm.values;

import io.slipway.helm.values.ValuesException.Reason;
import io.slipway.helm.values.YamlNode.Alias;
import io.slipway.helm.values.YamlNode.Entry;
import io.slipway.helm.values.YamlNode.Mapping;
import io.slipway.helm.values.YamlNode.Scalar;
import io.slipway.helm.values.YamlNode.Sequence;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.common.ScalarStyle;

/**
 * A Helm values file that is edited in its own text. Reading a value follows aliases and merge
 * keys as Helm does; writing one replaces only the characters of that scalar (or inserts one line
 * per missing key), so everything else in the file stays byte for byte. Instances are immutable:
 * {@link #set} returns the edited file.
 */
public final class ValuesFile {
    private final SourceText source;
    private final List<YamlDocument> documents;
    private final int document;

    private ValuesFile(String text, int document) {
        this.source = new SourceText(text);
        this.documents = YamlReader.read(source);
        this.document = document;
        if (document < 0 || document >= Math.max(1, documents.size())) {
            throw new ValuesException(Reason.NOT_A_MAPPING, "the file has no document " + (document + 1));
        }
    }

    /** Parses {@code text}; edits go to its first document, as Helm reads only that one. */
    public static ValuesFile parse(String text) {
        return new ValuesFile(text, 0);
    }

    /** Reads a file that must be UTF-8 (a BOM is kept as it is). */
    public static ValuesFile read(Path file) throws IOException {
        return parse(decode(Files.readAllBytes(file), file.toString()));
    }

    /** The same text with edits aimed at another document of a multi-document file (0-based). */
    public ValuesFile inDocument(int index) {
        return new ValuesFile(source.text(), index);
    }

    public String text() {
        return source.text();
    }

    public byte[] bytes() {
        return source.text().getBytes(StandardCharsets.UTF_8);
    }

    public void write(Path file) throws IOException {
        Files.write(file, bytes());
    }

    public Optional<String> get(String path) {
        return get(ValuesPath.parse(path));
    }

    /** The string value at {@code path} as Helm would see it, through aliases and merge keys. */
    public Optional<String> get(ValuesPath path) {
        Location at = new Navigator(root(), documents.get(document), path, false).locate();
        return at instanceof Location.Existing e ? Optional.of(e.scalar().value()) : Optional.empty();
    }

    /** True when {@code path} names something, of any kind. */
    public boolean has(ValuesPath path) {
        try {
            return new Navigator(root(), documents.get(document), path, false).locate() instanceof Location.Existing;
        } catch (ValuesException e) {
            return e.reason() == Reason.NOT_A_SCALAR;
        }
    }

    /**
     * Every single value of the edited document with its path and the comment that ends its line,
     * walking nested mappings and lists (not aliases or merge keys: a value reached only through
     * them is not this file's own). For finding image keys and the markers that name them.
     */
    public List<Leaf> leaves() {
        List<Leaf> out = new java.util.ArrayList<>();
        YamlNode root = documents.isEmpty() || documents.get(document).root() == null ? null : documents.get(document).root();
        if (root instanceof Mapping) {
            collect(root, null, out);
        }
        return List.copyOf(out);
    }

    /**
     * One value: {@code value} as Helm reads it ("" for an empty one), and the text of a comment
     * that follows it on the same line ("" when there is none).
     */
    public record Leaf(ValuesPath path, String value, String comment, int line) {
    }

    private void collect(YamlNode node, ValuesPath at, List<Leaf> out) {
        if (node instanceof Mapping mapping) {
            for (Entry e : mapping.entries()) {
                String key = e.keyText();
                if (key == null || e.isMergeKey()) {
                    continue;
                }
                ValuesPath child = at == null ? new ValuesPath(List.of(new ValuesPath.Key(key))) : at.child(key);
                collect(e.value(), child, out);
            }
        } else if (node instanceof Sequence sequence && at != null) {
            for (int i = 0; i < sequence.items().size(); i++) {
                List<ValuesPath.Segment> segments = new java.util.ArrayList<>(at.segments());
                segments.add(new ValuesPath.Index(i));
                collect(sequence.items().get(i), new ValuesPath(segments), out);
            }
        } else if (node instanceof Scalar scalar && at != null) {
            out.add(new Leaf(at, scalar.value(), trailingComment(scalar.span().end()), scalar.span().line() + 1));
        }
    }

    private String trailingComment(int from) {
        String text = source.text();
        int end = from;
        while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
            end++;
        }
        String rest = text.substring(from, end).strip();
        return rest.startsWith("#") ? rest.substring(1).strip() : "";
    }

    public ValuesFile set(String path, String value) {
        return set(ValuesPath.parse(path), value);
    }

    /**
     * Sets the string at {@code path}, adding missing keys under the nearest existing mapping.
     * Returns this same instance when the value is already there.
     */
    public ValuesFile set(ValuesPath path, String value) {
        Location at = new Navigator(root(), documents.get(document), path, true).locate();
        String edited;
        if (at instanceof Location.Existing e) {
            // Equal text is a no-op, except a plain scalar Helm reads as another type (`tag: 1.10`
            // is the float 1.1): writing the string "1.10" there must quote it.
            Scalar scalar = e.scalar();
            boolean readsAsString = scalar.style() != ScalarStyle.PLAIN || ScalarWriter.isSafePlain(value, scalar.inFlow());
            if (scalar.value().equals(value) && readsAsString) {
                return this;
            }
            edited = replace(path, e.scalar(), value);
        } else {
            edited = new KeyInserter(source, documents.get(document)).insert((Location.Missing) at, value);
        }
        // The edit must read back as written: a layout the editor misjudged is refused, never written.
        ValuesFile result;
        try {
            result = new ValuesFile(edited, document);
        } catch (ValuesException broken) {
            throw new ValuesException(Reason.UNSUPPORTED_LAYOUT, "setting " + path + " here would not leave valid YAML ("
                    + broken.getMessage() + "); the file's layout around it is not one the editor can change");
        }
        if (!result.get(path).equals(Optional.of(value))) {
            throw new ValuesException(Reason.UNSUPPORTED_LAYOUT, "setting " + path + " here would not read back as "
                    + "written; the file's layout around it is not one the editor can change");
        }
        // ...and change nothing else (Jazzer found a key added after a block scalar that ended the file
        // without a line break: the scalar gained one). A value that cannot be read before (under a
        // duplicated key) is not compared.
        for (Leaf leaf : leaves()) {
            if (leaf.path().equals(path)) {
                continue;
            }
            Optional<String> before;
            try {
                before = get(leaf.path());
            } catch (ValuesException unreadable) {
                continue;
            }
            Optional<String> after;
            try {
                after = result.get(leaf.path());
            } catch (ValuesException unreadable) {
                after = null;
            }
            if (!before.equals(after)) {
                throw new ValuesException(Reason.UNSUPPORTED_LAYOUT, "setting " + path + " here would also change "
                        + leaf.path() + " (line " + leaf.line() + "); the file's layout around it is not one "
                        + "the editor can change");
            }
        }
        return result;
    }

    private String replace(ValuesPath path, Scalar scalar, String value) {
        if (scalar.style() == ScalarStyle.LITERAL || scalar.style() == ScalarStyle.FOLDED) {
            throw new ValuesException(Reason.UNSUPPORTED_SCALAR, path + " at line " + (scalar.span().line() + 1)
                    + " is a block scalar (| or >); write it as a plain or quoted scalar to let it be updated");
        }
        String text = source.text();
        int start = skipProperties(text, scalar.span().start(), scalar.span().end());
        int end = scalar.span().end();
        String written = ScalarWriter.write(value, scalar.style(), scalar.inFlow());
        if (start == end && start > 0 && text.charAt(start - 1) == ':') {
            written = " " + written; // `key:` with no value at all
        }
        return text.substring(0, start) + written + text.substring(end);
    }

    // A node's start mark covers its anchor and tag (`&v !!str "1.0"`); they stay, only the scalar changes.
    private static int skipProperties(String text, int start, int end) {
        int i = start;
        while (i < end && (text.charAt(i) == '&' || text.charAt(i) == '!')) {
            while (i < end && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            while (i < end && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
        }
        return i;
    }

    private YamlNode root() {
        YamlDocument doc = documents.isEmpty() ? null : documents.get(document);
        YamlNode root = doc == null ? null : doc.root();
        if (root == null || root instanceof Scalar s && s.value().isEmpty() && s.style() == ScalarStyle.PLAIN) {
            throw new ValuesException(Reason.NOT_A_MAPPING, "the values document is empty, not a mapping");
        }
        if (root instanceof Alias a ? !(a.target() instanceof Mapping) : !(root instanceof Mapping)) {
            throw new ValuesException(Reason.NOT_A_MAPPING, "the values document is a "
                    + Navigator.kind(root) + ", not a mapping");
        }
        return root;
    }

    private static String decode(byte[] bytes, String name) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ValuesException(Reason.NOT_UTF8, name + " is not UTF-8 text");
        }
    }

    /** Where a path leads: an existing scalar, or the deepest existing mapping and the keys to add. */
    sealed interface Location {
        record Existing(Scalar scalar) implements Location {
        }

        record Missing(Mapping parent, List<String> keys) implements Location {
        }
    }

    /** Walks a path; in write mode it refuses every step whose change would show up elsewhere. */
    private static final class Navigator {
        private final YamlDocument doc;
        private final ValuesPath path;
        private final boolean forWrite;
        private YamlNode current;
        private String sharedBy;

        Navigator(YamlNode root, YamlDocument doc, ValuesPath path, boolean forWrite) {
            this.doc = doc;
            this.path = path;
            this.forWrite = forWrite;
            this.current = root;
        }

        Location locate() {
            List<ValuesPath.Segment> segments = path.segments();
            for (int i = 0; i < segments.size(); i++) {
                follow();
                String here = i == 0 ? "the document" : path.prefix(i).toString();
                if (segments.get(i) instanceof ValuesPath.Key key) {
                    if (!(current instanceof Mapping mapping)) {
                        throw new ValuesException(Reason.PATH_THROUGH_SCALAR, describe(here) + "; cannot reach " + path);
                    }
                    YamlNode value = local(mapping, key.name());
                    if (value == null) {
                        Merged merged = merged(mapping, key.name());
                        boolean last = i == segments.size() - 1;
                        if (merged == null || forWrite && last) {
                            // A key that only comes from a merge is overridden by adding it locally.
                            return missing(mapping, segments, i);
                        }
                        if (forWrite && sharedBy == null && merged.via() != null) {
                            sharedBy = merged.via();
                        }
                        value = merged.value();
                    }
                    current = value;
                } else {
                    int index = ((ValuesPath.Index) segments.get(i)).index();
                    if (!(current instanceof Sequence sequence)) {
                        throw new ValuesException(Reason.PATH_THROUGH_SCALAR, describe(here) + ", not a list; cannot reach " + path);
                    }
                    if (index >= sequence.items().size()) {
                        throw new ValuesException(Reason.NO_SUCH_ITEM, here + " has " + sequence.items().size()
                                + " items; " + path + " does not exist and list items are never added");
                    }
                    current = sequence.items().get(index);
                }
            }
            if (forWrite && current instanceof Alias alias) {
                throw shared(path + " at line " + (alias.span().line() + 1) + " is the alias *" + alias.name());
            }
            follow();
            if (forWrite && sharedBy != null) {
                throw shared(path + " lies inside " + sharedBy);
            }
            if (!(current instanceof Scalar scalar)) {
                throw new ValuesException(Reason.NOT_A_SCALAR, path + " is a " + kind(current) + " at line "
                        + (current.span().line() + 1) + ", not a single value");
            }
            return new Location.Existing(scalar);
        }

        private void follow() {
            if (current instanceof Alias alias) {
                if (sharedBy == null) {
                    sharedBy = "the alias *" + alias.name() + " at line " + (alias.span().line() + 1);
                }
                current = alias.target();
            }
            if (sharedBy == null && doc.isAliased(current)) {
                sharedBy = "&" + current.anchor() + " at line " + (current.span().line() + 1) + ", which an alias repeats";
            }
        }

        private Location missing(Mapping parent, List<ValuesPath.Segment> segments, int from) {
            if (forWrite && sharedBy != null) {
                throw shared("adding " + path + " would change " + sharedBy);
            }
            List<String> keys = new java.util.ArrayList<>();
            for (ValuesPath.Segment s : segments.subList(from, segments.size())) {
                if (!(s instanceof ValuesPath.Key k)) {
                    throw new ValuesException(Reason.NO_SUCH_ITEM, path.prefix(from) + " does not exist; list items are never added");
                }
                keys.add(k.name());
            }
            return new Location.Missing(parent, keys);
        }

        private YamlNode local(Mapping mapping, String key) {
            YamlNode found = null;
            for (Entry e : mapping.entries()) {
                if (!e.isMergeKey() && key.equals(e.keyText())) {
                    if (found != null) {
                        throw new ValuesException(Reason.DUPLICATE_KEY, "key \"" + key + "\" appears twice in the mapping at line "
                                + (mapping.span().line() + 1) + "; which one Helm uses depends on its version");
                    }
                    found = e.value();
                }
            }
            return found;
        }

        record Merged(YamlNode value, String via) {
        }

        // YAML merge keys (`<<: *base` or `<<: [*a, *b]`): the first source that has the key wins.
        private Merged merged(Mapping mapping, String key) {
            for (Entry e : mapping.entries()) {
                if (!e.isMergeKey()) {
                    continue;
                }
                List<YamlNode> sources = e.value() instanceof Sequence s ? s.items() : List.of(e.value());
                for (YamlNode source : sources) {
                    String via = source instanceof Alias a ? "the merge <<: *" + a.name() + " at line " + (a.span().line() + 1) : null;
                    YamlNode target = source instanceof Alias a ? a.target() : source;
                    if (target instanceof Mapping m) {
                        YamlNode value = local(m, key);
                        if (value != null) {
                            return new Merged(value, via);
                        }
                        Merged deeper = merged(m, key);
                        if (deeper != null) {
                            return new Merged(deeper.value(), via != null ? via : deeper.via());
                        }
                    }
                }
            }
            return null;
        }

        private String describe(String here) {
            if (current instanceof Scalar s) {
                return here + " is the value \"" + s.value() + "\" at line " + (s.span().line() + 1);
            }
            return here + " is a " + kind(current) + " at line " + (current.span().line() + 1);
        }

        private ValuesException shared(String what) {
            return new ValuesException(Reason.SHARED_BY_ALIAS, what
                    + "; changing it would also change every key that shares it. Give this environment its own value instead");
        }

        static String kind(YamlNode node) {
            if (node instanceof Mapping) {
                return "mapping";
            }
            if (node instanceof Sequence) {
                return "list";
            }
            if (node instanceof Alias) {
                return "alias";
            }
            return "scalar";
        }
    }
}
