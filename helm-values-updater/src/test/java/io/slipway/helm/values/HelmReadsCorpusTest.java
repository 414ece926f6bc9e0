package io.slipway.helm.values;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Helm's own YAML reader (YAML 1.1 rules) reads each edited corpus file: every changed value must
 * reach the templates as exactly the string written, not a number, a date or a parse error.
 */
class HelmReadsCorpusTest {
    private static final Path DUMP_CHART = Paths.get("src/test/resources/charts/values-dump");

    static List<CorpusCase> cases() throws IOException {
        return CorpusCase.all().stream().filter(c -> c.expectedError() == null).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void helmSeesTheWrittenStrings(CorpusCase c, @TempDir Path tmp) throws IOException {
        ImageValues.Edit edit = ImageValues.write(ValuesFile.read(c.yaml()), c.updates());
        Path values = tmp.resolve("values.yaml");
        edit.file().write(values);

        String manifest = new Helm(DUMP_CHART).template().withName("dump").withValuesFile(values).call();
        @SuppressWarnings("unchecked")
        Map<String, Object> configMap = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(manifest);
        @SuppressWarnings("unchecked")
        String json = ((Map<String, String>) configMap.get("data")).get("values.json");
        JsonNode seen = new ObjectMapper().readTree(json);

        assertThat(edit.changes()).isNotEmpty();
        for (ValueChange change : edit.changes()) {
            JsonNode node = at(seen, change.path());
            assertThat(node).as(change.toString()).isNotNull();
            assertThat(node.isTextual()).as(change + " reaches Helm as " + node.getNodeType()).isTrue();
            assertThat(node.textValue()).as(change.toString()).isEqualTo(change.after());
        }
    }

    private static JsonNode at(JsonNode root, ValuesPath path) {
        JsonNode node = root;
        for (ValuesPath.Segment s : path.segments()) {
            node = s instanceof ValuesPath.Key k ? node.get(k.name()) : node.get(((ValuesPath.Index) s).index());
            if (node == null) {
                return null;
            }
        }
        return node;
    }
}
