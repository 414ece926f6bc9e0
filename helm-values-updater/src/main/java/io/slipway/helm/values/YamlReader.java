package io.slipway.helm.values;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.events.SequenceStartEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/** Reads a YAML stream into {@link YamlDocument}s whose nodes carry exact source positions. */
final class YamlReader {
    private final SourceText source;
    private Iterator<Event> events;
    private Map<String, YamlNode> anchors;
    private Set<YamlNode> aliased;

    private YamlReader(SourceText source) {
        this.source = source;
    }

    /** Every document of the stream; throws {@link ValuesException} for text that is not YAML. */
    static List<YamlDocument> read(SourceText source) {
        return new YamlReader(source).readAll();
    }

    private List<YamlDocument> readAll() {
        // The whole text in the reader's buffer at once: snakeyaml-engine 2.10 refills a smaller buffer
        // wrongly when a supplementary character falls on its edge (an IndexOutOfBoundsException the
        // fuzzer found). A values file is in memory already, so this costs one more copy of it.
        LoadSettings settings = LoadSettings.builder().setUseMarks(true).setMaxAliasesForCollections(1000)
                .setBufferSize(Math.max(1024, source.text().length() + 1)).build();
        List<YamlDocument> documents = new ArrayList<>();
        try {
            events = new Parse(settings).parseString(source.text()).iterator();
            while (events.hasNext()) {
                Event event = events.next();
                if (event.getEventId() == Event.ID.DocumentStart) {
                    anchors = new HashMap<>();
                    aliased = YamlDocument.newIdentitySet();
                    Event first = events.next();
                    YamlNode root = first.getEventId() == Event.ID.DocumentEnd ? null : node(first, false);
                    if (root != null) {
                        expect(Event.ID.DocumentEnd);
                    }
                    documents.add(new YamlDocument(root, aliased));
                }
            }
        } catch (YamlEngineException e) {
            throw new ValuesException(ValuesException.Reason.INVALID_YAML, "not valid YAML: " + oneLine(e.getMessage()));
        } catch (ValuesException e) {
            throw e;
        } catch (RuntimeException e) {
            // Any other failure of the parser (a bug of the library, as the buffer one above was) refuses
            // the text like invalid YAML: never half-read, never an unexplained exception.
            throw new ValuesException(ValuesException.Reason.INVALID_YAML, "the YAML parser could not read this text ("
                    + e.getClass().getSimpleName() + "); no change was made");
        }
        return documents;
    }

    private YamlNode node(Event event, boolean inFlow) {
        switch (event.getEventId()) {
            case Scalar -> {
                ScalarEvent s = (ScalarEvent) event;
                return remember(s, new YamlNode.Scalar(s.getValue(), s.getScalarStyle(), span(event), anchorOf(s), inFlow));
            }
            case Alias -> {
                AliasEvent a = (AliasEvent) event;
                String name = a.getAlias().getValue();
                YamlNode target = anchors.get(name);
                if (target == null) {
                    throw new ValuesException(ValuesException.Reason.INVALID_YAML,
                            "not valid YAML: alias *" + name + " at line " + (span(event).line() + 1) + " names no anchor before it");
                }
                aliased.add(target);
                return new YamlNode.Alias(name, target, span(event));
            }
            case MappingStart -> {
                MappingStartEvent m = (MappingStartEvent) event;
                boolean flow = inFlow || m.isFlow();
                List<YamlNode.Entry> entries = new ArrayList<>();
                Event next;
                while ((next = events.next()).getEventId() != Event.ID.MappingEnd) {
                    YamlNode key = node(next, flow);
                    YamlNode value = node(events.next(), flow);
                    entries.add(new YamlNode.Entry(key, value));
                }
                return remember(m, new YamlNode.Mapping(List.copyOf(entries), m.isFlow(), span(m, next), anchorOf(m)));
            }
            case SequenceStart -> {
                SequenceStartEvent q = (SequenceStartEvent) event;
                boolean flow = inFlow || q.isFlow();
                List<YamlNode> items = new ArrayList<>();
                Event next;
                while ((next = events.next()).getEventId() != Event.ID.SequenceEnd) {
                    items.add(node(next, flow));
                }
                return remember(q, new YamlNode.Sequence(List.copyOf(items), q.isFlow(), span(q, next), anchorOf(q)));
            }
            default -> throw new ValuesException(ValuesException.Reason.INVALID_YAML,
                    "not valid YAML: unexpected " + event.getEventId() + " at line " + (span(event).line() + 1));
        }
    }

    private YamlNode remember(NodeEvent event, YamlNode node) {
        // An anchor defined again later rebinds the name, as YAML says; later aliases see the new node.
        event.getAnchor().ifPresent(a -> anchors.put(a.getValue(), node));
        return node;
    }

    private static String anchorOf(NodeEvent event) {
        return event.getAnchor().map(Anchor::getValue).orElse(null);
    }

    private void expect(Event.ID id) {
        Event e = events.next();
        if (e.getEventId() != id) {
            throw new ValuesException(ValuesException.Reason.INVALID_YAML, "not valid YAML: unexpected " + e.getEventId());
        }
    }

    private Span span(Event event) {
        return span(event, event);
    }

    private Span span(Event startEvent, Event endEvent) {
        Mark start = startEvent.getStartMark().orElseThrow();
        Mark end = endEvent.getEndMark().orElseThrow();
        return new Span(source.charIndex(start.getIndex()), source.charIndex(end.getIndex()), start.getLine(), start.getColumn());
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
