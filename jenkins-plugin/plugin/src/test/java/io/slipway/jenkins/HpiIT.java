package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packed .hpi, as Jenkins' ClassicPluginStrategy reads it: the manifest it takes the plugin's
 * name, version, core baseline and plugin dependencies from; WEB-INF/lib/slipway.jar with the
 * classes, both indexes, index.jelly, the step resources and the render check's jar; our libraries
 * beside it; nothing that Jenkins itself provides (the declarations, Guava, SezPoz, SLF4J, JNA,
 * commons-compress/io/codec/logging), no Helm, and nothing of the tests.
 */
class HpiIT {
    private static final Path HPI = Path.of(System.getProperty("slipway.hpi", "target/slipway.hpi"));

    @Test
    void manifestNamesThePluginItsBaselineAndItsDependencies() throws Exception {
        try (JarFile hpi = new JarFile(HPI.toFile())) {
            Attributes main = hpi.getManifest().getMainAttributes();
            assertThat(main.getValue("Short-Name")).isEqualTo("slipway");
            assertThat(main.getValue("Long-Name")).isEqualTo("Slipway");
            assertThat(main.getValue("Plugin-Version")).isNotBlank();
            assertThat(main.getValue("Jenkins-Version")).isEqualTo("2.479.3");
            assertThat(main.getValue("Plugin-Dependencies")).isEqualTo(
                    "workflow-step-api:710.v3e456cc85233,credentials:1453.v9b_a_29777a_b_fd,plain-credentials:199.v9f8e1f741799,"
                    + "ssh-credentials:349.vb_8b_6b_9709f5b_");
            // no Plugin-Class: the plugin has no hudson.Plugin subclass, and Jenkins reads the key only if there is one
            assertThat(main.getValue("Plugin-Class")).isNull();
        }
    }

    @Test
    void webInfLibHoldsThePluginJarAndOurLibrariesOnly() throws Exception {
        List<String> libs = new ArrayList<>();
        try (JarFile hpi = new JarFile(HPI.toFile())) {
            hpi.stream().map(ZipEntry::getName).filter(n -> !n.startsWith("META-INF/") && !n.endsWith("/")).forEach(n -> {
                assertThat(n).startsWith("WEB-INF/lib/");
                libs.add(n.substring("WEB-INF/lib/".length()));
            });
            assertThat(libs).contains("slipway.jar").anyMatch(n -> n.startsWith("pipeline-core-"))
                    .anyMatch(n -> n.startsWith("jib-core-")).anyMatch(n -> n.startsWith("org.eclipse.jgit-"));
            assertThat(libs).noneMatch(n -> n.startsWith("jenkins-api") || n.startsWith("symbol-index")
                    || n.startsWith("guava-") || n.startsWith("sezpoz") || n.startsWith("junit") || n.startsWith("assertj")
                    || n.startsWith("asm-") || n.startsWith("cli-") || n.startsWith("registry-backend"));
            // Helm never loads into a Jenkins JVM (it renders in a child JVM from the packed render jar), and
            // what core 2.479.3 ships itself is left to core: its class loader is asked first
            assertThat(libs).noneMatch(n -> n.startsWith("helm-java-") || n.startsWith("lib-api-") || n.startsWith("linux-amd64-")
                    || n.startsWith("jna") || n.startsWith("slf4j-") || n.startsWith("jcl-over-slf4j-")
                    || n.startsWith("commons-logging-") || n.startsWith("commons-compress-") || n.startsWith("commons-io-")
                    || n.startsWith("commons-codec-"));

            List<String> inner = new ArrayList<>();
            try (InputStream in = hpi.getInputStream(hpi.getEntry("WEB-INF/lib/slipway.jar"));
                 JarInputStream jar = new JarInputStream(in)) {
                // Jenkins' class filter (JEP-200) lets a jar's classes travel to and from agents only
                // if its manifest names a plugin: Short-Name with Plugin-Version or Jenkins-Version
                Attributes main = jar.getManifest().getMainAttributes();
                assertThat(main.getValue("Short-Name")).isEqualTo("slipway");
                assertThat(main.getValue("Plugin-Version")).isNotBlank();
                for (ZipEntry e = jar.getNextEntry(); e != null; e = jar.getNextEntry()) {
                    inner.add(e.getName());
                }
            }
            assertThat(inner).contains("index.jelly", "META-INF/annotations/hudson.Extension",
                    "META-INF/services/annotations/org.jenkinsci.Symbol",
                    "io/slipway/jenkins/SlipwayGateStep.class", "io/slipway/jenkins/SlipwayGateStep/config.jelly",
                    "io/slipway/jenkins/SlipwayGateStep/help-severity.html",
                    "io/slipway/jenkins/render/slipway-render.jar", "io/slipway/jenkins/render/slipway-render.jar.sha256");
            assertThat(inner).noneMatch(n -> n.startsWith("hudson/") || n.startsWith("org/jenkinsci/"));
        }
    }
}
