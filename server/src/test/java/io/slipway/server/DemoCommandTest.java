package io.slipway.server;

import io.slipway.cli.CliRun;
import io.slipway.cli.Folders;
import io.slipway.cli.Slipway;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway demo} when something goes wrong: a failing step says which and why, stops the
 * registry and removes what it made; a folder in use is refused before anything starts.
 * {@code DemoIT} runs the demo that works.
 */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aFailingStepSaysWhichAndWhyStopsTheRegistryAndCleansUp() throws Exception {
        // a real fault: the example service does not compile
        Path examples = tmp.resolve("examples");
        Folders.copyTree(Path.of("..", "examples").toAbsolutePath().normalize(), examples);
        Path source = examples.resolve("hello-service/src/main/java/hello/Main.java");
        Files.writeString(source, Files.readString(source) + "\nnot java\n");

        CliRun demo = CliRun.slipway("demo", "--examples", examples.toString());
        assertThat(demo.code()).as(demo.out() + demo.err()).isEqualTo(1);
        assertThat(demo.out()).contains("[1/8] Registry").contains("[2/8] Build").doesNotContain("[3/8]");
        assertThat(demo.err()).contains("slipway demo: failed at step 2/8: Maven could not build")
                .contains("Main.java") // Maven's own compiler error, shown
                .contains("slipway demo: cleaned up: registry stopped, ");
        Matcher files = Pattern.compile("files in (\\S+) \\(removed at the end\\)").matcher(demo.out());
        assertThat(files.find()).as(demo.out()).isTrue();
        assertThat(Path.of(files.group(1))).doesNotExist();
        Matcher up = Pattern.compile("up at (http://127\\.0\\.0\\.1:\\d+)").matcher(demo.out());
        assertThat(up.find()).isTrue();
        Assertions.assertThatThrownBy(() -> HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(up.group(1) + "/v2/")).build(), HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aFolderInUseOrAWrongExamplesFolderIsRefusedBeforeAnythingStarts() throws Exception {
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("something"), "x");
        CliRun inUse = CliRun.slipway("demo", "--data", used.toString());
        assertThat(inUse.code()).isEqualTo(Slipway.BAD_INPUT);
        assertThat(inUse.err()).contains("is not empty");
        CliRun notExamples = CliRun.slipway("demo", "--examples", tmp.toString());
        assertThat(notExamples.code()).isEqualTo(Slipway.BAD_INPUT);
        assertThat(notExamples.err()).contains("is not the examples folder");
    }
}
