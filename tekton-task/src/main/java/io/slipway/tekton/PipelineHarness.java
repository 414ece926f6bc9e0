package io.slipway.tekton;

import io.slipway.tekton.Tekton.Param;
import io.slipway.tekton.Tekton.ParamSpec;
import io.slipway.tekton.Tekton.Pipeline;
import io.slipway.tekton.Tekton.PipelineTask;
import io.slipway.tekton.Tekton.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a Pipeline's tasks in their order with {@link TaskHarness}, as Tekton's controller would
 * for a PipelineRun: Pipeline params (given or defaulted) and earlier tasks' results substituted
 * into each task's params, Pipeline workspaces handed to the tasks under their own names. The first
 * failing task ends the run.
 */
public final class PipelineHarness {
    /** Each task's run, in order, and the Pipeline's results (empty when a task failed). */
    public record Run(Map<String, TaskHarness.Run> tasks, Map<String, String> results) {
        public boolean succeeded() {
            return tasks.values().stream().allMatch(TaskHarness.Run::succeeded);
        }
    }

    private final TaskHarness tasks;

    public PipelineHarness(TaskHarness tasks) {
        this.tasks = tasks;
    }

    public Run run(Pipeline pipeline, Map<String, Task> catalog, Map<String, String> params, Map<String, Path> workspaces)
            throws IOException, InterruptedException {
        Map<String, String> values = new HashMap<>();
        for (ParamSpec p : pipeline.spec().params()) {
            String v = params.containsKey(p.name()) ? params.get(p.name()) : p.defaultValue();
            if (v == null) {
                throw new IllegalArgumentException("param " + p.name() + " of Pipeline " + pipeline.metadata().name()
                        + " is required");
            }
            values.put("params." + p.name(), v);
        }
        Map<String, TaskHarness.Run> runs = new LinkedHashMap<>();
        for (PipelineTask pt : pipeline.spec().tasks()) {
            Task task = catalog.get(pt.taskRef().name());
            Map<String, String> taskParams = new HashMap<>();
            for (Param p : pt.params()) {
                taskParams.put(p.name(), TaskHarness.substitute(p.value(), values));
            }
            Map<String, Path> taskWorkspaces = new HashMap<>();
            for (Tekton.WorkspaceUse w : pt.workspaces()) {
                Path dir = workspaces.get(w.workspace());
                if (dir != null) {
                    taskWorkspaces.put(w.name(), dir);
                }
            }
            TaskHarness.Run run = tasks.run(task, taskParams, taskWorkspaces);
            runs.put(pt.name(), run);
            if (!run.succeeded()) {
                return new Run(runs, Map.of());
            }
            run.results().forEach((name, value) -> values.put("tasks." + pt.name() + ".results." + name, value));
        }
        Map<String, String> results = new LinkedHashMap<>();
        for (Tekton.PipelineResult r : pipeline.spec().results()) {
            results.put(r.name(), TaskHarness.substitute(r.value(), values));
        }
        return new Run(runs, results);
    }
}
