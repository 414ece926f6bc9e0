package io.slipway.tekton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.tekton.v1.ParamValue;
import io.fabric8.tekton.v1.Pipeline;
import io.fabric8.tekton.v1.PipelineRun;
import io.fabric8.tekton.v1.Task;
import io.slipway.testing.StrictKubernetes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Slipway's Tasks, Pipeline and PipelineRun into fabric8's {@code tekton.dev/v1} model
 * ({@code io.fabric8:tekton-model}) with the project's strict reader ({@link StrictKubernetes}): a field
 * the model does not name is an error (a typo in a Task is one here, as Tekton's webhook would make it
 * one), so a file that reads is well-formed v1; {@link TektonCheck} then checks the references between
 * them. fabric8 7.1.0's {@code TaskRef} and {@code PipelineRef} lack {@code resolver} and {@code params}
 * (Tekton inlines a {@code ResolverRef} there), so a reference through a resolver is refused: our files
 * name their Tasks and Pipeline by name.
 */
final class Tekton {
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper STRICT = StrictKubernetes.mapper();

    private Tekton() {
    }

    static Task task(Path file) throws IOException {
        return read(file, Task.class, "Task");
    }

    static Pipeline pipeline(Path file) throws IOException {
        return read(file, Pipeline.class, "Pipeline");
    }

    static PipelineRun pipelineRun(Path file) throws IOException {
        return read(file, PipelineRun.class, "PipelineRun");
    }

    private static <T> T read(Path file, Class<T> type, String kind) throws IOException {
        JsonNode tree = YAML.readTree(file.toFile());
        if (!"tekton.dev/v1".equals(tree.path("apiVersion").asText()) || !kind.equals(tree.path("kind").asText())) {
            throw new IOException(file + ": not a tekton.dev/v1 " + kind);
        }
        try {
            return STRICT.treeToValue(tree, type);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The value of a string param ({@code null} for none); the harnesses substitute strings only, so an
     * array or object value is refused rather than turned into some text.
     */
    static String string(ParamValue value) {
        if (value == null) {
            return null;
        }
        if (value.getStringVal() == null) {
            throw new IllegalArgumentException("not a string param value: " + value);
        }
        return value.getStringVal();
    }

    /** Every text of a param value (the string, an array's items, an object's values), for the reference checks. */
    static List<String> texts(ParamValue value) {
        List<String> texts = new ArrayList<>();
        if (value != null) {
            texts.add(value.getStringVal());
            if (value.getArrayVal() != null) {
                texts.addAll(value.getArrayVal());
            }
            if (value.getObjectVal() != null) {
                texts.addAll(value.getObjectVal().values());
            }
        }
        return texts;
    }

    /** fabric8 leaves a list absent from the file as an empty list, but one written {@code null} stays null. */
    static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }
}
