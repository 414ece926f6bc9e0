package io.slipway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a real JUnit launcher over tests that skip in each way (a missing tool, a plain assumption, {@code
 * @Disabled}, an abort in {@code @BeforeAll}) and reads what {@link SkippedTests} prints and records.
 */
class SkippedTestsTest {

    @Test
    void everySkipIsListedWithItsReasonAtTheEndOfTheRunAndRecordedForTheBuild() throws Exception {
        // Runs under either setting of SLIPWAY_REQUIRE_TOOLS (CI sets it), so CI checks the listener too: there
        // the fixture's missing tool is a failure, not a skip, and the other three skips are still listed.
        boolean required = RequiredTools.required();
        Path file = Files.createTempDirectory("skipped").resolve("skipped-tests.txt");
        Files.writeString(file, "# build of yesterday\ntest-support\tOld.test\tgone\n"); // another build's: dropped
        System.setProperty(SkippedTests.FILE_PROPERTY, file.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            // The listener is found through META-INF/services, as surefire's launcher finds it.
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(Fixture.class), selectClass(AbortedBeforeAll.class))
                    .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition=false")
                    .build());
        } finally {
            System.setOut(saved);
            System.clearProperty(SkippedTests.FILE_PROPERTY);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        int skips = required ? 3 : 4;
        assertThat(printed).contains("[slipway] SKIPPED TESTS: " + skips + " in test-support")
                .contains("not on this kernel").contains("Fixture.needsAKernel")
                .contains("broken upstream").contains("Fixture.disabled")
                .contains("AbortedBeforeAll (every test)").doesNotContain("Fixture.runs");
        if (required) {
            assertThat(printed).doesNotContain("Fixture.needsTheFrobnicator")
                    .contains(RequiredTools.ENV + "=true: a missing tool fails its test instead");
        } else {
            assertThat(printed).contains("the frobnicator is not installed").contains("Fixture.needsTheFrobnicator");
        }
        assertThat(Files.readAllLines(file)).hasSize(1 + skips).noneMatch(l -> l.contains("Old.test"))
                .allMatch(l -> l.startsWith("# build ") || l.startsWith("test-support\t"));
    }

    static class Fixture {
        @Test
        void needsTheFrobnicator() {
            throw RequiredTools.missing("the frobnicator is not installed");
        }

        @Test
        void needsAKernel() {
            Assumptions.assumeTrue(false, "not on this kernel");
        }

        @Test
        @Disabled("broken upstream")
        void disabled() {
        }

        @Test
        void runs() {
        }
    }

    static class AbortedBeforeAll {
        @BeforeAll
        static void start() {
            Assumptions.abort("no daemon");
        }

        @Test
        void one() {
        }
    }
}
