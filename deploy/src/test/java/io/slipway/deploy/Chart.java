package io.slipway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.slipway.testing.StrictKubernetes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chart in {@code deploy/helm/slipway}, as Helm (helm-java, in process) lints and renders it, and
 * its rendered objects as typed Kubernetes objects read by a reader that refuses any field the model
 * does not know.
 */
final class Chart {
    static final Path DIR = Path.of("helm", "slipway").toAbsolutePath();
    static final String RELEASE = "reg";
    static final String NAMESPACE = "registry";

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Chart() {
    }

    /** The values files of {@code ci/}, one chart configuration each. */
    static List<Path> ciValues() {
        try (Stream<Path> files = Files.list(DIR.resolve("ci"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-values.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code helm lint --strict} of the chart with {@code values} (null: the chart's own). helm-java's lint
     * takes no values file, so the chart is linted from a copy whose values.yaml is the chart's merged with
     * {@code values} as Helm merges them (maps key by key, anything else replaced).
     */
    static LintResult lint(Path values, Path scratch) throws IOException {
        Path dir = DIR;
        if (values != null) {
            dir = scratch.resolve("slipway");
            copy(DIR, dir);
            JsonNode merged = merge(YAML.readTree(DIR.resolve("values.yaml").toFile()), YAML.readTree(values.toFile()));
            Files.writeString(dir.resolve("values.yaml"), YAML.writeValueAsString(merged));
        }
        return new Helm(dir).lint().strict().call();
    }

    /** {@code helm template reg helm/slipway -n registry -f values --set k=v…}. */
    static String render(Path values, Map<String, Object> sets) {
        TemplateCommand t = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (values != null) {
            t = t.withValuesFile(values);
        }
        for (Map.Entry<String, Object> e : sets.entrySet()) {
            t = t.set(e.getKey(), e.getValue());
        }
        return t.call();
    }

    /** Every object of a rendered manifest stream, each read strictly into its Kubernetes model type. */
    static List<HasMetadata> objects(String rendered) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        try (var docs = YAML.readerFor(JsonNode.class).readValues(new YAMLFactory().createParser(rendered))) {
            while (docs.hasNext()) {
                JsonNode doc = (JsonNode) docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
                    continue; // an empty document between two ---
                }
                objects.add(read(JSON.writeValueAsString(doc), HasMetadata.class));
            }
        }
        return objects;
    }

    /** Reads one object strictly; a refusal names the object and the field (fabric8's own message says neither). */
    static <T> T read(String json, Class<T> type) {
        try {
            return STRICT.unmarshal(json, type);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalArgumentException("not a valid Kubernetes object: " + cause.getMessage() + "\n" + json, e);
        }
    }

    /** fabric8's serialization (kinds found by apiVersion and kind) over the project's strict mapper. */
    private static final KubernetesSerialization STRICT = new KubernetesSerialization(StrictKubernetes.mapper(), true);

    private static JsonNode merge(JsonNode base, JsonNode over) {
        if (over == null || over.isNull() || over.isMissingNode()) {
            return base;
        }
        if (!(base instanceof ObjectNode b) || !over.isObject()) {
            return over;
        }
        ObjectNode out = b.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
        }
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
