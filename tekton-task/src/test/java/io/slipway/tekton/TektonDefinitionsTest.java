package io.slipway.tekton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.tekton.v1.Param;
import io.fabric8.tekton.v1.ParamSpec;
import io.fabric8.tekton.v1.ParamValue;
import io.fabric8.tekton.v1.Pipeline;
import io.fabric8.tekton.v1.PipelineTask;
import io.fabric8.tekton.v1.Step;
import io.fabric8.tekton.v1.Task;
import io.fabric8.tekton.v1.TaskResult;
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
 * with fabric8's Tekton model (unknown fields refused) and pass the reference and convention checks; the
 * checks themselves catch what they are for.
 */
class TektonDefinitionsTest {
    static final Path DEFINITIONS = Path.of("src/main/tekton");
    static final Path EXAMPLE = Path.of("../examples/tekton/pipelinerun.yaml");

    static Map<String, Task> tasks() throws IOException {
        Map<String, Task> tasks = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(DEFINITIONS)) {
            for (Path f : files.sorted().toList()) {
                if (Files.readString(f).contains("\nkind: Task\n")) {
                    Task t = Tekton.task(f);
                    tasks.put(t.getMetadata().getName(), t);
                }
            }
        }
        return tasks;
    }

    static Pipeline pipeline() throws IOException {
        return Tekton.pipeline(DEFINITIONS.resolve("slipway-pipeline.yaml"));
    }

    @Test
    void everyDefinitionIsValidTektonV1() throws Exception {
        Map<String, Task> tasks = tasks();
        assertThat(tasks.keySet()).containsExactlyInAnyOrder("slipway-build", "slipway-gate", "slipway-sign",
                "slipway-deploy", "slipway-promote");
        for (Task t : tasks.values()) {
            assertThat(TektonCheck.task(t)).as(t.getMetadata().getName()).isEmpty();
        }
        assertThat(tasks.get("slipway-build").getSpec().getResults()).extracting(TaskResult::getName)
                .containsExactly("IMAGE_DIGEST", "IMAGE_URL");
        Pipeline pipeline = pipeline();
        assertThat(TektonCheck.pipeline(pipeline, tasks)).isEmpty();
        assertThat(TektonCheck.pipelineRun(Tekton.pipelineRun(EXAMPLE), Map.of(pipeline.getMetadata().getName(), pipeline))).isEmpty();
    }

    @Test
    void unknownFieldsAndWrongKindsAreRefused(@TempDir Path dir) throws Exception {
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, Files.readString(DEFINITIONS.resolve("slipway-gate.yaml")).replace("  steps:", "  stepz:"));
        assertThatThrownBy(() -> Tekton.task(typo)).hasMessageContaining("Unrecognized field \"stepz\"");
        // deeper down too, in fabric8's Kubernetes types (a step's securityContext) as in Tekton's own
        Path nested = dir.resolve("nested.yaml");
        Files.writeString(nested, Files.readString(DEFINITIONS.resolve("slipway-gate.yaml")).replace("runAsNonRoot:", "runAsNonroot:"));
        assertThatThrownBy(() -> Tekton.task(nested)).hasMessageContaining("Unrecognized field \"runAsNonroot\"")
                .hasMessageContaining("SecurityContext");
        Path run = dir.resolve("run.yaml");
        Files.writeString(run, Files.readString(EXAMPLE).replace("  workspaces:", "  workspace:"));
        assertThatThrownBy(() -> Tekton.pipelineRun(run)).hasMessageContaining("Unrecognized field \"workspace\"");
        assertThatThrownBy(() -> Tekton.task(DEFINITIONS.resolve("slipway-pipeline.yaml"))).hasMessageContaining("not a tekton.dev/v1 Task");
    }

    @Test
    void theChecksFindBrokenReferencesAndInterpolatedParams() throws Exception {
        Task gate = tasks().get("slipway-gate");
        Step step = gate.getSpec().getSteps().get(0);
        Step unsafe = step.edit()
                .withEnv(new EnvVar("X", "$(params.NOPE)", null), new EnvVar("Y", "$(results.NONE.path)", null))
                .withScript("slipway gate --image $(params.IMAGE_URL)\necho $(cat /etc/hostname)\n")
                .withSecurityContext(new SecurityContextBuilder().withRunAsNonRoot(false).withRunAsUser(0L).build())
                .build();
        Task broken = gate.edit().editSpec().withSteps(unsafe).endSpec().build();
        assertThat(TektonCheck.task(broken)).containsExactlyInAnyOrder(
                "Task slipway-gate step gate: not runAsNonRoot",
                "Task slipway-gate step gate: script interpolates $(params.IMAGE_URL); pass it through env",
                "Task slipway-gate step gate: $(params.NOPE) names no declared param",
                "Task slipway-gate step gate: $(results.NONE.path) names no declared result path");

        Pipeline p = pipeline();
        PipelineTask gateTask = p.getSpec().getTasks().get(1);
        PipelineTask wrong = gateTask.edit()
                .withParams(new Param("IMAGE_URL", new ParamValue("$(tasks.build.results.DIGEST)")))
                .withWorkspaces(List.of()).withRunAfter("deploy").build();
        Pipeline brokenPipeline = p.edit().editSpec().withResults(List.of())
                .withTasks(p.getSpec().getTasks().get(0), wrong).endSpec().build();
        assertThat(TektonCheck.pipeline(brokenPipeline, tasks())).containsExactlyInAnyOrder(
                "Pipeline slipway-pipeline task gate: runAfter deploy, which is not an earlier task",
                "Pipeline slipway-pipeline task gate: required param REGISTRY not given",
                "Pipeline slipway-pipeline task gate: required param IMAGE_DIGEST not given",
                "Pipeline slipway-pipeline task gate param IMAGE_URL: $(tasks.build.results.DIGEST) names no result of Task slipway-build");
    }

    /**
     * fabric8 7.1.0's PipelineRef and TaskRef lack Tekton's inlined ResolverRef ({@code resolver},
     * {@code params}), so the strict reader refuses a reference through a resolver, valid v1 as it is
     * (docs/DESIGN.md, Conventions). When this fails, a newer model has the fields: check them too.
     */
    @Test
    void aResolverReferenceIsRefusedByThisModelVersion(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("bundle-run.yaml");
        Files.writeString(run, Files.readString(EXAMPLE).replace("    name: slipway-pipeline\n",
                "    resolver: bundles\n    params:\n      - {name: name, value: slipway-pipeline}\n"));
        assertThat(Files.readString(run)).contains("resolver: bundles");
        assertThatThrownBy(() -> Tekton.pipelineRun(run)).hasMessageContaining("Unrecognized field \"resolver\"")
                .hasMessageContaining("PipelineRef");
    }

    /** What fabric8's model reads but the checks do not follow is a problem, not a pass. */
    @Test
    void constructsTheChecksDoNotFollowAreProblems() throws Exception {
        Pipeline p = pipeline();
        Pipeline withFinally = p.edit().editSpec().withFinally(p.getSpec().getTasks().get(0)).endSpec().build();
        assertThat(TektonCheck.pipeline(withFinally, tasks())).containsExactly(
                "Pipeline slipway-pipeline: finally tasks are not checked here");
        Task gate = tasks().get("slipway-gate");
        Task templated = gate.edit().editSpec().withNewStepTemplate().withImage("busybox").endStepTemplate().endSpec().build();
        assertThat(TektonCheck.task(templated)).containsExactly(
                "Task slipway-gate: stepTemplate, sidecars and volumes are not checked here");
        assertThat(gate.getSpec().getParams()).extracting(ParamSpec::getName).contains("IMAGE_URL");
    }
}
