package io.slipway.helm.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Reference;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The render check in a child JVM, as a Jenkins agent runs it: the same verdicts as in-process;
 * helm-java's native library found through the right class loader whatever the thread's context
 * loader; no native library a clear failure, never a download, and the next check unharmed.
 */
class RenderCheckProcessTest {
    static final Path CHARTS = RenderCheckTest.CHARTS;
    static final Reference REF = Reference.parse("reg.example.com/team/app:1.2.0@" + RenderCheckTest.DIGEST);

    @TempDir
    Path tmp;

    static List<Path> testClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of).toList();
    }

    Path values() throws Exception {
        return Files.writeString(tmp.resolve("values-dev.yaml"),
                "image:\n  repository: reg.example.com/team/app\n  tag: 1.2.0\n  digest: \"" + RenderCheckTest.DIGEST + "\"\n");
    }

    @Test
    void rendersInAChildJvmWithTheSameVerdictsAsInProcess() throws Exception {
        RenderCheck check = RenderCheck.chart(CHARTS.resolve("app")).valuesFiles(List.of(values())).expect(REF);
        List<RenderedImage> child = RenderCheckProcess.using(testClassPath()).run(check);
        assertThat(child).isEqualTo(check.run());
        assertThat(child).extracting(RenderedImage::image).contains("reg.example.com/team/app@" + RenderCheckTest.DIGEST);

        RenderCheck wrong = RenderCheck.chart(CHARTS.resolve("ignores-values")).valuesFiles(List.of(values())).expect(REF);
        assertThatThrownBy(() -> RenderCheckProcess.using(testClassPath()).run(wrong))
                .isInstanceOf(RenderCheckException.class)
                .hasMessageContaining("renders reg.example.com/team/app:0.1.0 where " + REF + " was written");
    }

    @Test
    void findsHelmWhateverTheThreadsContextClassLoader() throws Exception {
        // a fresh JVM, so no earlier check in this one has loaded Helm already
        Path result = tmp.resolve("result.json");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                RenderCheckProcess.NO_DOWNLOAD, "-cp", System.getProperty("java.class.path"), ForeignContextMain.class.getName(),
                "--chart", CHARTS.resolve("app").toAbsolutePath().toString(), "--values", values().toString(),
                "--expect", REF.toString(), "--result", result.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        assertThat(Files.readString(result)).contains("\"images\"").contains(RenderCheckTest.DIGEST);
    }

    @Test
    void noNativeHelmIsAClearFailureWithoutADownloadAndTheNextCheckWorks() throws Exception {
        // the class path of a machine helm-java has no native library for: everything but linux-amd64
        List<Path> withoutNative = testClassPath().stream().filter(p -> !p.getFileName().toString().startsWith("linux-amd64")).toList();
        assertThat(withoutNative).hasSize(testClassPath().size() - 1);
        RenderCheck check = RenderCheck.chart(CHARTS.resolve("app")).valuesFiles(List.of(values())).expect(REF);
        assertThatThrownBy(() -> RenderCheckProcess.using(withoutNative).run(check))
                .isInstanceOf(RenderCheckException.class)
                .hasMessageStartingWith("no native Helm library for " + HelmCalls.platform())
                .hasMessageContaining("none is downloaded at run time");

        assertThat(RenderCheckProcess.using(testClassPath()).run(check)).isNotEmpty();
    }
}
