package io.slipway.tekton;

import static io.slipway.tekton.Tekton.list;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.tekton.v1.Param;
import io.fabric8.tekton.v1.ParamSpec;
import io.fabric8.tekton.v1.Pipeline;
import io.fabric8.tekton.v1.PipelineResult;
import io.fabric8.tekton.v1.PipelineRun;
import io.fabric8.tekton.v1.PipelineTask;
import io.fabric8.tekton.v1.PipelineWorkspaceDeclaration;
import io.fabric8.tekton.v1.Step;
import io.fabric8.tekton.v1.Task;
import io.fabric8.tekton.v1.TaskResult;
import io.fabric8.tekton.v1.TaskSpec;
import io.fabric8.tekton.v1.WorkspaceBinding;
import io.fabric8.tekton.v1.WorkspaceDeclaration;
import io.fabric8.tekton.v1.WorkspacePipelineTaskBinding;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The checks Tekton's admission webhook makes on references (every {@code $(params.x)},
 * {@code $(results.x.path)}, {@code $(workspaces.x.path)}, {@code $(tasks.t.results.r)} names
 * something declared; required params and workspaces are given), and the catalog's conventions
 * Slipway keeps: every param described, params reach scripts through {@code env} and never by
 * substitution into the script text, steps run as non-root. Each check answers a list of problems.
 *
 * <p>fabric8's model reads all of Tekton v1, more than these checks follow (finally tasks, when
 * expressions, matrices, embedded specs, step templates, sidecars, StepActions): a definition that uses
 * any of them is a problem here until the checks cover it, rather than passing half-checked.
 */
final class TektonCheck {
    /** A Tekton variable reference, {@code $(…)}. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\(([^)]*)\\)");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private TektonCheck() {
    }

    static List<String> task(Task task) {
        List<String> problems = new ArrayList<>();
        String name = task.getMetadata() == null ? null : task.getMetadata().getName();
        String where = "Task " + name;
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add(where + ": name is not a DNS label");
        }
        TaskSpec spec = task.getSpec();
        if (spec == null) {
            problems.add(where + ": no spec");
            return problems;
        }
        Set<String> params = list(spec.getParams()).stream().map(ParamSpec::getName).collect(Collectors.toSet());
        Set<String> results = list(spec.getResults()).stream().map(TaskResult::getName).collect(Collectors.toSet());
        Set<String> workspaces = list(spec.getWorkspaces()).stream().map(WorkspaceDeclaration::getName)
                .collect(Collectors.toSet());
        for (ParamSpec p : list(spec.getParams())) {
            if (p.getDescription() == null || p.getDescription().isBlank()) {
                problems.add(where + ": param " + p.getName() + " has no description");
            }
        }
        if (spec.getStepTemplate() != null || !list(spec.getSidecars()).isEmpty() || !list(spec.getVolumes()).isEmpty()) {
            problems.add(where + ": stepTemplate, sidecars and volumes are not checked here");
        }
        if (list(spec.getSteps()).isEmpty()) {
            problems.add(where + ": no steps");
        }
        for (Step step : list(spec.getSteps())) {
            String at = where + " step " + step.getName();
            if (step.getImage() == null || step.getImage().isBlank()) {
                problems.add(at + ": no image");
            }
            if (step.getRef() != null || !list(step.getParams()).isEmpty() || !list(step.getWhen()).isEmpty()) {
                problems.add(at + ": StepActions (ref, params) and when are not checked here");
            }
            if (step.getSecurityContext() == null || !Boolean.TRUE.equals(step.getSecurityContext().getRunAsNonRoot())) {
                problems.add(at + ": not runAsNonRoot");
            }
            if (step.getScript() != null) {
                for (String v : variables(step.getScript())) {
                    // A param substituted into a script runs whatever its value says; env keeps it
                    // data. ($(cat f) and the like are the shell's own, which Tekton leaves alone.)
                    if (v.matches("(params|results|workspaces|context|tasks)\\..*")) {
                        problems.add(at + ": script interpolates $(" + v + "); pass it through env");
                    }
                }
            }
            List<String> texts = new ArrayList<>();
            texts.add(step.getImage());
            texts.add(step.getWorkingDir());
            list(step.getEnv()).stream().map(EnvVar::getValue).forEach(texts::add);
            texts.addAll(list(step.getCommand()));
            texts.addAll(list(step.getArgs()));
            for (String text : texts) {
                for (String v : variables(text)) {
                    String problem = resolves(v, params, results, workspaces);
                    if (problem != null) {
                        problems.add(at + ": $(" + v + ") " + problem);
                    }
                }
            }
        }
        return problems;
    }

    private static String resolves(String variable, Set<String> params, Set<String> results, Set<String> workspaces) {
        String[] parts = variable.split("\\.");
        return switch (parts[0]) {
            case "params" -> parts.length == 2 && params.contains(parts[1]) ? null : "names no declared param";
            case "results" -> parts.length == 3 && parts[2].equals("path") && results.contains(parts[1]) ? null
                    : "names no declared result path";
            case "workspaces" -> parts.length == 3 && Set.of("path", "bound", "claim", "volume").contains(parts[2])
                    && workspaces.contains(parts[1]) ? null : "names no declared workspace";
            case "context" -> null;
            default -> "is not a Task variable";
        };
    }

    /** {@code tasks} are the Tasks the Pipeline may reference, by name. */
    static List<String> pipeline(Pipeline pipeline, Map<String, Task> tasks) {
        List<String> problems = new ArrayList<>();
        String where = "Pipeline " + pipeline.getMetadata().getName();
        if (pipeline.getSpec() == null) {
            problems.add(where + ": no spec");
            return problems;
        }
        Set<String> params = list(pipeline.getSpec().getParams()).stream().map(ParamSpec::getName).collect(Collectors.toSet());
        Set<String> workspaces = list(pipeline.getSpec().getWorkspaces()).stream().map(PipelineWorkspaceDeclaration::getName)
                .collect(Collectors.toSet());
        if (!list(pipeline.getSpec().getFinally()).isEmpty()) {
            problems.add(where + ": finally tasks are not checked here");
        }
        Set<String> before = new HashSet<>();
        for (PipelineTask pt : list(pipeline.getSpec().getTasks())) {
            String at = where + " task " + pt.getName();
            if (!list(pt.getWhen()).isEmpty() || pt.getMatrix() != null) {
                problems.add(at + ": when and matrix are not checked here");
            }
            Task task = pt.getTaskRef() == null ? null : tasks.get(pt.getTaskRef().getName());
            if (task == null) {
                problems.add(at + ": no Task " + (pt.getTaskRef() == null ? "referenced" : pt.getTaskRef().getName()));
                continue;
            }
            for (String after : list(pt.getRunAfter())) {
                if (!before.contains(after)) {
                    problems.add(at + ": runAfter " + after + ", which is not an earlier task");
                }
            }
            Set<String> given = list(pt.getParams()).stream().map(Param::getName).collect(Collectors.toSet());
            for (ParamSpec p : list(task.getSpec().getParams())) {
                if (p.getDefault() == null && !given.contains(p.getName())) {
                    problems.add(at + ": required param " + p.getName() + " not given");
                }
            }
            Set<String> declared = list(task.getSpec().getParams()).stream().map(ParamSpec::getName).collect(Collectors.toSet());
            for (Param p : list(pt.getParams())) {
                if (!declared.contains(p.getName())) {
                    problems.add(at + ": Task " + task.getMetadata().getName() + " has no param " + p.getName());
                }
                for (String v : variables(Tekton.texts(p.getValue()))) {
                    String problem = pipelineVariable(v, params, pipeline, tasks, before);
                    if (problem != null) {
                        problems.add(at + " param " + p.getName() + ": $(" + v + ") " + problem);
                    }
                }
            }
            Set<String> bound = new HashSet<>();
            for (WorkspacePipelineTaskBinding w : list(pt.getWorkspaces())) {
                bound.add(w.getName());
                if (!workspaces.contains(w.getWorkspace())) {
                    problems.add(at + ": no Pipeline workspace " + w.getWorkspace());
                }
            }
            for (WorkspaceDeclaration w : list(task.getSpec().getWorkspaces())) {
                if (!Boolean.TRUE.equals(w.getOptional()) && !bound.contains(w.getName())) {
                    problems.add(at + ": required workspace " + w.getName() + " not bound");
                }
            }
            before.add(pt.getName());
        }
        for (PipelineResult r : list(pipeline.getSpec().getResults())) {
            for (String v : variables(Tekton.texts(r.getValue()))) {
                String problem = pipelineVariable(v, params, pipeline, tasks, before);
                if (problem != null) {
                    problems.add(where + " result " + r.getName() + ": $(" + v + ") " + problem);
                }
            }
        }
        return problems;
    }

    private static String pipelineVariable(String variable, Set<String> params, Pipeline pipeline, Map<String, Task> tasks,
            Set<String> earlier) {
        String[] parts = variable.split("\\.");
        if (parts[0].equals("params")) {
            return parts.length == 2 && params.contains(parts[1]) ? null : "names no Pipeline param";
        }
        if (parts[0].equals("tasks") && parts.length == 4 && parts[2].equals("results")) {
            if (!earlier.contains(parts[1])) {
                return "names no earlier task";
            }
            PipelineTask pt = pipeline.getSpec().getTasks().stream().filter(t -> t.getName().equals(parts[1])).findFirst().orElseThrow();
            Task task = tasks.get(pt.getTaskRef().getName());
            return list(task.getSpec().getResults()).stream().anyMatch(r -> r.getName().equals(parts[3])) ? null
                    : "names no result of Task " + task.getMetadata().getName();
        }
        return "is not a Pipeline variable";
    }

    static List<String> pipelineRun(PipelineRun run, Map<String, Pipeline> pipelines) {
        List<String> problems = new ArrayList<>();
        String where = "PipelineRun " + (run.getMetadata().getName() != null ? run.getMetadata().getName()
                : run.getMetadata().getGenerateName());
        Pipeline pipeline = run.getSpec() == null || run.getSpec().getPipelineRef() == null ? null
                : pipelines.get(run.getSpec().getPipelineRef().getName());
        if (pipeline == null) {
            problems.add(where + ": no such Pipeline");
            return problems;
        }
        Set<String> given = list(run.getSpec().getParams()).stream().map(Param::getName).collect(Collectors.toSet());
        Set<String> declared = list(pipeline.getSpec().getParams()).stream().map(ParamSpec::getName).collect(Collectors.toSet());
        for (ParamSpec p : list(pipeline.getSpec().getParams())) {
            if (p.getDefault() == null && !given.contains(p.getName())) {
                problems.add(where + ": required param " + p.getName() + " not given");
            }
        }
        for (String g : given) {
            if (!declared.contains(g)) {
                problems.add(where + ": the Pipeline has no param " + g);
            }
        }
        Set<String> bound = new HashSet<>();
        for (WorkspaceBinding w : list(run.getSpec().getWorkspaces())) {
            bound.add(w.getName());
            long sources = Stream.of(w.getVolumeClaimTemplate(), w.getPersistentVolumeClaim(), w.getEmptyDir(),
                    w.getConfigMap(), w.getSecret(), w.getCsi(), w.getProjected()).filter(Objects::nonNull).count();
            if (sources != 1) {
                problems.add(where + ": workspace " + w.getName() + " needs exactly one volume source");
            }
        }
        for (PipelineWorkspaceDeclaration w : list(pipeline.getSpec().getWorkspaces())) {
            if (!Boolean.TRUE.equals(w.getOptional()) && !bound.contains(w.getName())) {
                problems.add(where + ": required workspace " + w.getName() + " not bound");
            }
        }
        return problems;
    }

    /** The variables {@code $(…)} in some texts. */
    static List<String> variables(List<String> texts) {
        return texts.stream().flatMap(t -> variables(t).stream()).toList();
    }

    /** The variables {@code $(…)} in a text. */
    static List<String> variables(String text) {
        List<String> found = new ArrayList<>();
        if (text != null) {
            Matcher m = VARIABLE.matcher(text);
            while (m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }
}
