package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every resource where Stapler looks: the plugin's index.jelly at the root; for each step, in the
 * folder named after its class, a config.jelly (well-formed, with a stock f: entry for each bound
 * property and none for a property that does not exist), a help.html and a help-FIELD.html for
 * each property.
 */
class StaplerResourcesTest {
    private static final String FORM = "/lib/form";

    @Test
    void thePluginHasAnIndexPage() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("index.jelly")) {
            assertThat(in).as("index.jelly").isNotNull();
            assertThat(new String(in.readAllBytes())).contains("slipwayBuild").contains("withSlipwayRegistry");
        }
    }

    @Test
    void everyStepHasAFormAndHelpForEveryField() throws Exception {
        for (Class<?> step : Steps.ALL) {
            String folder = step.getName().replace('.', '/').replace('$', '/') + "/";
            Set<String> properties = Steps.properties(step).keySet();
            assertThat(resource(folder + "help.html")).as(folder + "help.html").isNotNull();
            for (String p : properties) {
                assertThat(resource(folder + "help-" + p + ".html")).as(folder + "help-" + p + ".html").isNotNull();
            }
            Set<String> fields = fields(folder + "config.jelly");
            Set<String> expected = new LinkedHashSet<>(properties);
            if (step == SlipwayBuildStep.class) {
                expected.remove("tags"); // a Groovy list: given in the script, see help-tags.html
            }
            expected.remove("keys"); // Groovy lists too, see help-keys.html and help-images.html
            expected.remove("images");
            assertThat(fields).as(folder + "config.jelly").containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private Set<String> fields(String path) throws Exception {
        try (InputStream in = resource(path)) {
            assertThat(in).as(path).isNotNull();
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            Document doc = factory.newDocumentBuilder().parse(in);
            Set<String> fields = new LinkedHashSet<>();
            NodeList entries = doc.getElementsByTagNameNS(FORM, "entry");
            for (int i = 0; i < entries.getLength(); i++) {
                Element e = (Element) entries.item(i);
                assertThat(e.getAttribute("field")).as(path + " entry without field").isNotEmpty();
                assertThat(fields.add(e.getAttribute("field"))).as(path + " field twice: " + e.getAttribute("field")).isTrue();
            }
            return fields;
        }
    }

    private InputStream resource(String path) {
        return getClass().getClassLoader().getResourceAsStream(path);
    }
}
