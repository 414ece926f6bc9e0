package io.slipway.tekton;

import static io.slipway.tekton.Tekton.list;

import io.fabric8.tekton.v1.Param;
import io.fabric8.tekton.v1.ParamSpec;
import io.fabric8.tekton.v1.Pipeline;
import io.fabric8.tekton.v1.PipelineResult;
import io.fabric8.tekton.v1.PipelineTask;
import io.fabric8.tekton.v1.Task;
import io.fabric8.tekton.v1.WorkspacePipelineTaskBinding;
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
final class PipelineHarness {
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
        for (ParamSpec p : list(pipeline.getSpec().getParams())) {
            String v = params.containsKey(p.getName()) ? params.get(p.getName()) : Tekton.string(p.getDefault());
            if (v == null) {
                throw new IllegalArgumentException("param " + p.getName() + " of Pipeline " + pipeline.getMetadata().getName()
                        + " is required");
            }
            values.put("params." + p.getName(), v);
        }
        Map<String, TaskHarness.Run> runs = new LinkedHashMap<>();
        for (PipelineTask pt : list(pipeline.getSpec().getTasks())) {
            Task task = catalog.get(pt.getTaskRef().getName());
            Map<String, String> taskParams = new HashMap<>();
            for (Param p : list(pt.getParams())) {
                taskParams.put(p.getName(), TaskHarness.substitute(Tekton.string(p.getValue()), values));
            }
            Map<String, Path> taskWorkspaces = new HashMap<>();
            for (WorkspacePipelineTaskBinding w : list(pt.getWorkspaces())) {
                Path dir = workspaces.get(w.getWorkspace());
                if (dir != null) {
                    taskWorkspaces.put(w.getName(), dir);
                }
            }
            TaskHarness.Run run = tasks.run(task, taskParams, taskWorkspaces);
            runs.put(pt.getName(), run);
            if (!run.succeeded()) {
                return new Run(runs, Map.of());
            }
            run.results().forEach((name, value) -> values.put("tasks." + pt.getName() + ".results." + name, value));
        }
        Map<String, String> results = new LinkedHashMap<>();
        for (PipelineResult r : list(pipeline.getSpec().getResults())) {
            results.put(r.getName(), TaskHarness.substitute(Tekton.string(r.getValue()), values));
        }
        return new Run(runs, results);
    }
}
