package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.Extension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.java.sezpoz.Index;
import net.java.sezpoz.IndexItem;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.junit.jupiter.api.Test;

/**
 * The two indexes Jenkins finds a plugin's parts by. {@code @Extension} is read with SezPoz's own
 * reader, as core's ExtensionFinder does ({@code Index.load(Extension.class, Object.class, loader)});
 * {@code @Symbol} is read as lib-annotation-indexer's {@code Index.list} reads it: the text file of
 * class names, each loaded and checked to carry the annotation.
 */
class IndexesTest {
    private static final Set<String> FUNCTIONS = Set.of("withSlipwayRegistry", "slipwayBuild", "slipwayGate", "slipwaySign",
            "slipwayDeploy", "slipwayPromote");

    @Test
    void sezpozFindsEveryStepDescriptorAndInstantiatesIt() throws Exception {
        Set<String> functions = new TreeSet<>();
        for (IndexItem<Extension, Object> item : Index.load(Extension.class, Object.class, getClass().getClassLoader())) {
            if (!item.className().startsWith("io.slipway.")) {
                continue;
            }
            Object instance = item.instance();
            assertThat(instance).isInstanceOf(StepDescriptor.class);
            StepDescriptor d = (StepDescriptor) instance;
            assertThat(functions.add(d.getFunctionName())).as("function name used twice: " + d.getFunctionName()).isTrue();
            assertThat(d.getDisplayName()).isNotBlank();
            assertThat(d.getRequiredContext()).isNotEmpty();
            assertThat(d.takesImplicitBlockArgument()).isEqualTo(d.getFunctionName().equals("withSlipwayRegistry"));
            assertThat(item.annotation().ordinal()).isZero();
        }
        assertThat(functions).containsExactlyInAnyOrderElementsOf(FUNCTIONS);
    }

    @Test
    void theSymbolIndexListsClassesThatCarrySymbolNamedAfterTheirFunction() throws Exception {
        List<String> names = new ArrayList<>();
        Enumeration<URL> files = getClass().getClassLoader().getResources("META-INF/services/annotations/org.jenkinsci.Symbol");
        while (files.hasMoreElements()) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(files.nextElement().openStream(), StandardCharsets.UTF_8))) {
                in.lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(names::add);
            }
        }
        assertThat(names).hasSize(FUNCTIONS.size());
        Set<String> symbols = new HashSet<>();
        for (String name : names) {
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            Symbol symbol = c.getAnnotation(Symbol.class);
            assertThat(symbol).as(name).isNotNull();
            StepDescriptor d = (StepDescriptor) c.getConstructor().newInstance();
            assertThat(symbol.value()).containsExactly(d.getFunctionName());
            symbols.add(symbol.value()[0]);
        }
        assertThat(symbols).containsExactlyInAnyOrderElementsOf(FUNCTIONS);
    }
}
