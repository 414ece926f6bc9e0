package io.slipway.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * No silent skips: collects every test of a module's run that was skipped ({@code @Disabled}) or aborted (a
 * missing tool through {@link RequiredTools}, any other assumption), prints them with their reasons when the
 * run ends, and appends them to {@code target/skipped-tests.txt} at the root of the build, so that the summary
 * the last module prints lists the skips of the whole {@code mvn verify}. Registered through
 * {@code META-INF/services}, so every module whose tests have test-support on their class path reports.
 *
 * <p>The file belongs to one build: it is started afresh when the Maven process running the tests (this JVM's
 * parent) is another than the one that wrote it.
 */
public final class SkippedTests implements TestExecutionListener {
    static final String FILE = "target/skipped-tests.txt";
    /** Where to record instead of the build's file (this listener's own test). */
    static final String FILE_PROPERTY = "slipway.skippedTestsFile";
    private final List<String> skipped = new CopyOnWriteArrayList<>();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        skipped.add(name(test) + "\t" + oneLine(reason));
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            skipped.add(name(test) + "\t" + oneLine(result.getThrowable().map(Throwable::getMessage).orElse("aborted")));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        Path module = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path root = root(module);
        String moduleName = root.relativize(module).toString().isEmpty() ? module.getFileName().toString()
                : root.relativize(module).toString();
        Path file = System.getProperty(FILE_PROPERTY) != null ? Path.of(System.getProperty(FILE_PROPERTY))
                : root.resolve(FILE);
        List<String> all;
        try {
            all = record(file, moduleName);
        } catch (IOException e) {
            System.out.println("[slipway] could not record skipped tests in " + file + ": " + e);
            all = skipped.stream().map(s -> moduleName + "\t" + s).toList();
        }
        if (skipped.isEmpty() && all.isEmpty()) {
            return;
        }
        System.out.println(summary(moduleName, skipped.size(), all, file));
    }

    /** The report: this module's count, then every skip of the build so far, grouped by reason. */
    static String summary(String module, int here, List<String> all, Path file) {
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (String line : all) {
            String[] f = line.split("\t", 3);
            if (f.length == 3) {
                byReason.computeIfAbsent(f[2], r -> new ArrayList<>()).add(f[0] + ": " + f[1]);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("\n[slipway] SKIPPED TESTS: ").append(here).append(" in ").append(module).append("; ")
                .append(all.size()).append(" in this build so far (").append(file).append(")");
        if (RequiredTools.required()) {
            b.append(" - ").append(RequiredTools.ENV).append("=true: a missing tool fails its test instead");
        } else {
            b.append(" - set ").append(RequiredTools.ENV).append("=true (as CI does) to make a missing tool a failure");
        }
        byReason.forEach((reason, tests) -> {
            b.append("\n  ").append(reason).append(" (").append(tests.size()).append("):");
            tests.forEach(t -> b.append("\n    - ").append(t));
        });
        return b.toString();
    }

    /** Appends this run's skips to the build's file (under a lock: modules may run in parallel) and returns all. */
    private List<String> record(Path file, String module) throws IOException {
        Files.createDirectories(file.getParent());
        String build = "# build " + buildId();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
            if (lines.isEmpty() || !lines.get(0).equals(build)) {
                lines.clear(); // another build's
                lines.add(build);
            }
            for (String s : skipped) {
                lines.add(module + "\t" + s);
            }
            byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap(bytes), 0);
            return lines.subList(1, lines.size());
        }
    }

    /** The Maven process this test JVM was forked by: its id and start time name the build. */
    private static String buildId() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        return parent.map(p -> p.pid() + "@" + p.info().startInstant().map(Object::toString).orElse("?"))
                .orElse("unknown");
    }

    /** The topmost folder holding a pom.xml above the module: the root of the build. */
    static Path root(Path module) {
        Path root = module;
        for (Path p = module.getParent(); p != null && Files.isRegularFile(p.resolve("pom.xml")); p = p.getParent()) {
            root = p;
        }
        return root;
    }

    private static String name(TestIdentifier test) {
        if (test.getSource().orElse(null) instanceof MethodSource m) {
            return simple(m.getClassName()) + "." + m.getMethodName();
        }
        if (test.getSource().orElse(null) instanceof org.junit.platform.engine.support.descriptor.ClassSource c) {
            return simple(c.getClassName()) + " (every test)"; // aborted in @BeforeAll: surefire counts none
        }
        return test.getDisplayName();
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static String oneLine(String s) {
        return s == null ? "(no reason given)" : s.replaceAll("\\s+", " ").strip();
    }
}
