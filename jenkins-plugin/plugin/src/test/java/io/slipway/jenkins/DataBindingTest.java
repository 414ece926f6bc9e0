package io.slipway.jenkins;

import hudson.model.Item;
import hudson.security.Permission;
import hudson.util.ListBoxModel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.junit.jupiter.api.Test;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.QueryParameter;

/**
 * Data binding by parameter names, as Jenkins does it: structs reads the constructor's parameter
 * names (javac -parameters), sets the rest through @DataBoundSetter, and the Snippet Generator
 * reads every property back through its getter. A round trip through those must give back what
 * went in, for every property of every step.
 */
class DataBindingTest {

    @Test
    void parameterNamesAreInTheBytecode() {
        for (Class<?> step : Steps.ALL) {
            for (Parameter p : Steps.constructor(step).getParameters()) {
                assertThat(p.isNamePresent()).as(step.getSimpleName() + " compiled without -parameters").isTrue();
            }
        }
    }

    @Test
    void everyPropertyRoundTripsThroughConstructorSettersAndGetters() throws Exception {
        for (Class<?> step : Steps.ALL) {
            Map<String, Object> arguments = new LinkedHashMap<>();
            for (Map.Entry<String, Class<?>> p : Steps.properties(step).entrySet()) {
                arguments.put(p.getKey(), sample(p.getKey(), p.getValue()));
            }
            Object instance = Steps.instantiate(step, arguments);
            for (Map.Entry<String, Object> a : arguments.entrySet()) {
                assertThat(Steps.getter(step, a.getKey()).invoke(instance))
                        .as(step.getSimpleName() + "." + a.getKey()).isEqualTo(a.getValue());
            }
        }
    }

    @Test
    void optionalPropertiesHaveTheDocumentedDefaults() throws Exception {
        SlipwayGateStep gate = (SlipwayGateStep) Steps.instantiate(SlipwayGateStep.class, Map.of("image", "ns/r@sha256:x"));
        assertThat(gate.getSeverity()).isEqualTo("high");
        assertThat(gate.getTimeout()).isEqualTo("10m");
        assertThat(gate.getInterval()).isEqualTo("5s");
        assertThat(gate.isIncludeConfiguration()).isFalse();
        SlipwayBuildStep build = (SlipwayBuildStep) Steps.instantiate(SlipwayBuildStep.class, Map.of("image", "ns/r"));
        assertThat(build.getBuildFile()).isEqualTo("jib.yaml");
        assertThat(build.getTags()).isEmpty();
        SlipwayDeployStep deploy = (SlipwayDeployStep) Steps.instantiate(SlipwayDeployStep.class,
                Map.of("gitops", "g", "values", "v", "image", "i"));
        assertThat(deploy.isRenderCheck()).isTrue();
        assertThat(deploy.isPullRequest()).isFalse();
        // a blank text field of the form means "not set", not "set to blank"
        build.setBuildFile(" ");
        build.setCredentialsId("");
        assertThat(build.getBuildFile()).isEqualTo("jib.yaml");
        assertThat(build.getCredentialsId()).isNull();
    }

    @Test
    void formChecksAreNamedAfterAPropertyAndTakeANamedQueryParameter() {
        for (Class<?> step : Steps.ALL) {
            Class<?> descriptor = descriptorOf(step);
            for (Method m : descriptor.getDeclaredMethods()) {
                if (!m.getName().startsWith("doCheck")) {
                    continue;
                }
                String property = Character.toLowerCase(m.getName().charAt(7)) + m.getName().substring(8);
                assertThat(Steps.properties(step)).as(m.getName()).containsKey(property);
                for (Parameter p : m.getParameters()) {
                    assertThat(p.isAnnotationPresent(QueryParameter.class)).isTrue();
                    assertThat(p.getName()).isEqualTo("value");
                }
            }
        }
    }

    /**
     * Every credentials ID property is a drop-down: a doFill…Items method named after it, taking the
     * job (@AncestorInPath Item) and the current value as a @QueryParameter of the property's name.
     */
    @Test
    void everyCredentialsFieldIsADropDown() throws Exception {
        int lists = 0;
        for (Class<?> step : Steps.ALL) {
            Class<?> descriptor = descriptorOf(step);
            for (String property : Steps.properties(step).keySet()) {
                if (!property.endsWith("redentialsId")) {
                    continue;
                }
                String cap = Character.toUpperCase(property.charAt(0)) + property.substring(1);
                Method fill = descriptor.getMethod("doFill" + cap + "Items", Item.class, String.class);
                assertThat(fill.getReturnType()).isEqualTo(ListBoxModel.class);
                assertThat(fill.getParameters()[0].isAnnotationPresent(AncestorInPath.class)).isTrue();
                assertThat(fill.getParameters()[1].isAnnotationPresent(QueryParameter.class)).isTrue();
                assertThat(fill.getParameters()[1].getName()).isEqualTo(property);
                lists++;
            }
        }
        assertThat(lists).isEqualTo(9);
    }

    @Test
    void aDropDownListsOnlyForThoseWhoMayConfigureTheJobAndKeepsTheCurrentValue() {
        Item mayConfigure = new Item() {
            @Override
            public boolean hasPermission(Permission permission) {
                return permission == Item.EXTENDED_READ;
            }
        };
        Item mayNot = new Item() { };
        SlipwayDeployStep.DescriptorImpl deploy = new SlipwayDeployStep.DescriptorImpl();
        ListBoxModel allowed = deploy.doFillGitCredentialsIdItems(mayConfigure, "gitops");
        assertThat(allowed).extracting(o -> o.value).containsExactly("", "gitops");
        ListBoxModel denied = deploy.doFillGitCredentialsIdItems(mayNot, "gitops");
        assertThat(denied).extracting(o -> o.value).containsExactly("gitops");
    }

    /** The example Jenkinsfile calls each step by its function name, with arguments the step has. */
    @Test
    void theExampleJenkinsfileUsesTheStepsAsDeclared() throws Exception {
        String script = Files.readString(Path.of("../../examples/Jenkinsfile"));
        Map<String, Class<?>> byFunction = new LinkedHashMap<>();
        for (Class<?> step : Steps.ALL) {
            byFunction.put(((StepDescriptor) descriptorOf(step)
                    .getConstructor().newInstance()).getFunctionName(), step);
        }
        Matcher call = Pattern.compile("\\b(slipway[A-Z]\\w*|withSlipwayRegistry)\\(([^)]*)\\)")
                .matcher(script);
        Set<String> seen = new TreeSet<>();
        while (call.find()) {
            Class<?> step = byFunction.get(call.group(1));
            assertThat(step).as("no step " + call.group(1)).isNotNull();
            seen.add(call.group(1));
            Set<String> given = new HashSet<>();
            Matcher arg = Pattern.compile("(\\w+)\\s*:").matcher(
                    call.group(2).replaceAll("'[^']*'|\"[^\"]*\"", "''"));
            while (arg.find()) {
                given.add(arg.group(1));
            }
            assertThat(Steps.properties(step).keySet()).as(call.group()).containsAll(given);
            assertThat(given).as(call.group()).containsAll(Steps.required(step));
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(byFunction.keySet());
    }

    static Class<?> descriptorOf(Class<?> step) {
        for (Class<?> nested : step.getDeclaredClasses()) {
            if (nested.getSimpleName().equals("DescriptorImpl")) {
                return nested;
            }
        }
        throw new AssertionError(step + " has no DescriptorImpl");
    }

    private static Object sample(String name, Class<?> type) {
        if (type == boolean.class) {
            return !name.equals("renderCheck"); // the opposite of the default
        }
        if (type == List.class) {
            return List.of("candidate", "abc123");
        }
        return "value-of-" + name;
    }
}
