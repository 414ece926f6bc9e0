package io.slipway.tekton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.pipeline.build.BuildStep;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task image, written as an OCI image layout tarball from files only: the same inputs give the
 * same digest, and its layers hold the shell, the certificates, the Java runtime with the C
 * libraries it needs, and the slipway command (executable) — nothing pulled from a registry.
 */
class TaskImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void theTaskImageIsReproducibleAndHoldsWhatTheStepsRun() throws Exception {
        Path jar = Workspaces.CLI_JAR;
        Digest first = BuildStep.writeTarball(TaskImage.buildFile(jar, tmp.resolve("work1")), "slipway/task:0.1",
                tmp.resolve("one.tar"));
        Digest second = BuildStep.writeTarball(TaskImage.buildFile(jar, tmp.resolve("work2")), "slipway/task:0.1",
                tmp.resolve("two.tar"));
        assertThat(second).isEqualTo(first);

        Path layout = Files.createDirectories(tmp.resolve("layout"));
        run("tar", "-xf", tmp.resolve("one.tar").toString(), "-C", layout.toString());
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests").path(0).path("digest").asText()).isEqualTo(first.toString());
        JsonNode manifest = JSON.readTree(layout.resolve("blobs/sha256/" + first.hex()).toFile());
        List<String> names = new ArrayList<>();
        Set<String> files = new TreeSet<>();
        for (JsonNode layer : manifest.path("layers")) {
            Path blob = layout.resolve("blobs/sha256/" + layer.path("digest").asText().substring(7));
            String listing = run("tar", "-tvzf", blob.toString());
            for (String line : listing.split("\n")) {
                if (!line.isBlank()) {
                    String[] cols = line.trim().split("\\s+");
                    files.add(cols[cols.length - 1].replaceFirst("^\\./", "").replaceFirst("^/", "") + " " + cols[0]);
                }
            }
            names.add(blob.getFileName().toString());
        }
        assertThat(names).hasSize(5); // C libraries, Java runtime, shell, /tmp, slipway
        assertThat(files).anyMatch(f -> f.startsWith("bin/sh -rwx"));
        assertThat(files).anyMatch(f -> f.startsWith("usr/local/bin/slipway -rwx"));
        assertThat(files).anyMatch(f -> f.startsWith("opt/java/bin/java -rwx"));
        assertThat(files).anyMatch(f -> f.startsWith("opt/slipway/slipway.jar "));
        assertThat(files).anyMatch(f -> f.startsWith("etc/ssl/certs/ca-certificates.crt "));
        assertThat(files).anyMatch(f -> f.matches("lib/x86_64-linux-gnu/libc\\.so\\.6 .*|lib.*/libc\\.so\\.6 .*"));
        assertThat(files).anyMatch(f -> f.startsWith("tmp/ drwxrwxrwx") || f.startsWith("tmp drwxrwxrwx"));
        JsonNode config = JSON.readTree(layout.resolve("blobs/sha256/" + manifest.path("config").path("digest").asText()
                .substring(7)).toFile());
        assertThat(config.path("config").path("User").asText()).isEqualTo("1000:1000");

        // The released Tasks run exactly this image: pinned by its digest.
        Path pinned = tmp.resolve("pinned");
        TaskImage.pin(TektonDefinitionsTest.DEFINITIONS, pinned, "registry.example.com/slipway/task", first);
        int tasks = 0;
        try (var released = Files.list(pinned)) {
            for (Path f : released.toList()) {
                if (!Files.readString(f).contains("\nkind: Task\n")) {
                    continue;
                }
                io.fabric8.tekton.v1.Task task = Tekton.task(f);
                assertThat(TektonCheck.task(task)).isEmpty();
                assertThat(task.getSpec().getParams()).filteredOn(p -> p.getName().equals("SLIPWAY_IMAGE"))
                        .extracting(p -> Tekton.string(p.getDefault()))
                        .containsExactly("registry.example.com/slipway/task@" + first);
                assertThat(task.getSpec().getSteps()).allSatisfy(step -> assertThat(step.getImage()).isEqualTo("$(params.SLIPWAY_IMAGE)"));
                tasks++;
            }
        }
        assertThat(tasks).isEqualTo(5);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
        return out;
    }
}
