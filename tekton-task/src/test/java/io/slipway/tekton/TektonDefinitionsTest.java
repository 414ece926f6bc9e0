package io.slipway.tekton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Task and the Pipeline in src/main/tekton, and the example PipelineRun, read as tekton.dev/v1
 * (unknown fields refused) and pass the reference and convention checks; the checks themselves
 * catch what they are for.
 */
class TektonDefinitionsTest {
    static final Path DEFINITIONS = Path.of("src/main/tekton");
    static final Path EXAMPLE = Path.of("../examples/tekton/pipelinerun.yaml");

    static Map<String, Tekton.Task> tasks() throws IOException {
        Map<String, Tekton.Task> tasks = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(DEFINITIONS)) {
            for (Path f : files.sorted().toList()) {
                if (Files.readString(f).contains("\nkind: Task\n")) {
                    Tekton.Task t = Tekton.task(f);
                    tasks.put(t.metadata().name(), t);
                }
            }
        }
        return tasks;
    }

    static Tekton.Pipeline pipeline() throws IOException {
        return Tekton.pipeline(DEFINITIONS.resolve("slipway-pipeline.yaml"));
    }

    @Test
    void everyDefinitionIsValidTektonV1() throws Exception {
        Map<String, Tekton.Task> tasks = tasks();
        assertThat(tasks.keySet()).containsExactlyInAnyOrder("slipway-build", "slipway-gate", "slipway-sign",
                "slipway-deploy", "slipway-promote");
        for (Tekton.Task t : tasks.values()) {
            assertThat(TektonCheck.task(t)).as(t.metadata().name()).isEmpty();
        }
        assertThat(tasks.get("slipway-build").spec().results()).extracting(Tekton.TaskResult::name)
                .containsExactly("IMAGE_DIGEST", "IMAGE_URL");
        Tekton.Pipeline pipeline = pipeline();
        assertThat(TektonCheck.pipeline(pipeline, tasks)).isEmpty();
        assertThat(TektonCheck.pipelineRun(Tekton.pipelineRun(EXAMPLE), Map.of(pipeline.metadata().name(), pipeline))).isEmpty();
    }

    @Test
    void unknownFieldsAndWrongKindsAreRefused(@TempDir Path dir) throws Exception {
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, Files.readString(DEFINITIONS.resolve("slipway-gate.yaml")).replace("  steps:", "  stepz:"));
        assertThatThrownBy(() -> Tekton.task(typo)).hasMessageContaining("stepz");
        assertThatThrownBy(() -> Tekton.task(DEFINITIONS.resolve("slipway-pipeline.yaml"))).hasMessageContaining("not a tekton.dev/v1 Task");
    }

    @Test
    void theChecksFindBrokenReferencesAndInterpolatedParams() throws Exception {
        Tekton.Task gate = tasks().get("slipway-gate");
        Tekton.Step step = gate.spec().steps().get(0);
        Tekton.Step unsafe = new Tekton.Step(step.name(), step.image(), step.workingDir(),
                List.of(new Tekton.EnvVar("X", "$(params.NOPE)", null), new Tekton.EnvVar("Y", "$(results.NONE.path)", null)),
                "slipway gate --image $(params.IMAGE_URL)\necho $(cat /etc/hostname)\n",
                null, null, new Tekton.SecurityContext(false, 0L, null, null));
        Tekton.Task broken = new Tekton.Task(gate.apiVersion(), gate.kind(), gate.metadata(),
                new Tekton.TaskSpec(gate.spec().description(), gate.spec().params(), gate.spec().workspaces(),
                        gate.spec().results(), List.of(unsafe)));
        assertThat(TektonCheck.task(broken)).containsExactlyInAnyOrder(
                "Task slipway-gate step gate: not runAsNonRoot",
                "Task slipway-gate step gate: script interpolates $(params.IMAGE_URL); pass it through env",
                "Task slipway-gate step gate: $(params.NOPE) names no declared param",
                "Task slipway-gate step gate: $(results.NONE.path) names no declared result path");

        Tekton.Pipeline p = pipeline();
        Tekton.PipelineTask gateTask = p.spec().tasks().get(1);
        Tekton.PipelineTask wrong = new Tekton.PipelineTask(gateTask.name(), gateTask.taskRef(),
                List.of(new Tekton.Param("IMAGE_URL", "$(tasks.build.results.DIGEST)")), List.of(), List.of("deploy"));
        Tekton.Pipeline brokenPipeline = new Tekton.Pipeline(p.apiVersion(), p.kind(), p.metadata(),
                new Tekton.PipelineSpec(null, p.spec().params(), p.spec().workspaces(), List.of(),
                        List.of(p.spec().tasks().get(0), wrong)));
        assertThat(TektonCheck.pipeline(brokenPipeline, tasks())).containsExactlyInAnyOrder(
                "Pipeline slipway-pipeline task gate: runAfter deploy, which is not an earlier task",
                "Pipeline slipway-pipeline task gate: required param REGISTRY not given",
                "Pipeline slipway-pipeline task gate: required param IMAGE_DIGEST not given",
                "Pipeline slipway-pipeline task gate param IMAGE_URL: $(tasks.build.results.DIGEST) names no result of Task slipway-build");
    }
}
