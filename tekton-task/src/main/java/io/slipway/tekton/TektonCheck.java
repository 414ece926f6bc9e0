package io.slipway.tekton;

import io.slipway.tekton.Tekton.Param;
import io.slipway.tekton.Tekton.ParamSpec;
import io.slipway.tekton.Tekton.Pipeline;
import io.slipway.tekton.Tekton.PipelineRun;
import io.slipway.tekton.Tekton.PipelineTask;
import io.slipway.tekton.Tekton.Step;
import io.slipway.tekton.Tekton.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checks Tekton's admission webhook makes on references (every {@code $(params.x)},
 * {@code $(results.x.path)}, {@code $(workspaces.x.path)}, {@code $(tasks.t.results.r)} names
 * something declared; required params and workspaces are given), and the catalog's conventions
 * Slipway keeps: every param described, params reach scripts through {@code env} and never by
 * substitution into the script text, steps run as non-root. Each check answers a list of problems.
 */
public final class TektonCheck {
    /** A Tekton variable reference, {@code $(…)}. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\(([^)]*)\\)");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private TektonCheck() {
    }

    public static List<String> task(Task task) {
        List<String> problems = new ArrayList<>();
        String where = "Task " + task.metadata().name();
        if (!NAME.matcher(task.metadata().name()).matches()) {
            problems.add(where + ": name is not a DNS label");
        }
        Set<String> params = task.spec().params().stream().map(ParamSpec::name).collect(Collectors.toSet());
        Set<String> results = task.spec().results().stream().map(Tekton.TaskResult::name).collect(Collectors.toSet());
        Set<String> workspaces = task.spec().workspaces().stream().map(Tekton.WorkspaceDeclaration::name)
                .collect(Collectors.toSet());
        for (ParamSpec p : task.spec().params()) {
            if (p.description() == null || p.description().isBlank()) {
                problems.add(where + ": param " + p.name() + " has no description");
            }
        }
        if (task.spec().steps().isEmpty()) {
            problems.add(where + ": no steps");
        }
        for (Step step : task.spec().steps()) {
            String at = where + " step " + step.name();
            if (step.image() == null || step.image().isBlank()) {
                problems.add(at + ": no image");
            }
            if (step.securityContext() == null || !Boolean.TRUE.equals(step.securityContext().runAsNonRoot())) {
                problems.add(at + ": not runAsNonRoot");
            }
            if (step.script() != null) {
                for (String v : variables(step.script())) {
                    // A param substituted into a script runs whatever its value says; env keeps it
                    // data. ($(cat f) and the like are the shell's own, which Tekton leaves alone.)
                    if (v.matches("(params|results|workspaces|context|tasks)\\..*")) {
                        problems.add(at + ": script interpolates $(" + v + "); pass it through env");
                    }
                }
            }
            List<String> texts = new ArrayList<>();
            texts.add(step.image());
            texts.add(step.workingDir());
            step.env().forEach(e -> texts.add(e.value()));
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
    public static List<String> pipeline(Pipeline pipeline, Map<String, Task> tasks) {
        List<String> problems = new ArrayList<>();
        String where = "Pipeline " + pipeline.metadata().name();
        Set<String> params = pipeline.spec().params().stream().map(ParamSpec::name).collect(Collectors.toSet());
        Set<String> workspaces = pipeline.spec().workspaces().stream().map(Tekton.PipelineWorkspace::name)
                .collect(Collectors.toSet());
        Set<String> before = new HashSet<>();
        for (PipelineTask pt : pipeline.spec().tasks()) {
            String at = where + " task " + pt.name();
            Task task = pt.taskRef() == null ? null : tasks.get(pt.taskRef().name());
            if (task == null) {
                problems.add(at + ": no Task " + (pt.taskRef() == null ? "referenced" : pt.taskRef().name()));
                continue;
            }
            for (String after : pt.runAfter()) {
                if (!before.contains(after)) {
                    problems.add(at + ": runAfter " + after + ", which is not an earlier task");
                }
            }
            Set<String> given = pt.params().stream().map(Param::name).collect(Collectors.toSet());
            for (ParamSpec p : task.spec().params()) {
                if (p.defaultValue() == null && !given.contains(p.name())) {
                    problems.add(at + ": required param " + p.name() + " not given");
                }
            }
            Set<String> declared = task.spec().params().stream().map(ParamSpec::name).collect(Collectors.toSet());
            for (Param p : pt.params()) {
                if (!declared.contains(p.name())) {
                    problems.add(at + ": Task " + task.metadata().name() + " has no param " + p.name());
                }
                for (String v : variables(p.value())) {
                    String problem = pipelineVariable(v, params, pipeline, tasks, before);
                    if (problem != null) {
                        problems.add(at + " param " + p.name() + ": $(" + v + ") " + problem);
                    }
                }
            }
            Set<String> bound = new HashSet<>();
            for (Tekton.WorkspaceUse w : pt.workspaces()) {
                bound.add(w.name());
                if (!workspaces.contains(w.workspace())) {
                    problems.add(at + ": no Pipeline workspace " + w.workspace());
                }
            }
            for (Tekton.WorkspaceDeclaration w : task.spec().workspaces()) {
                if (!w.isOptional() && !bound.contains(w.name())) {
                    problems.add(at + ": required workspace " + w.name() + " not bound");
                }
            }
            before.add(pt.name());
        }
        for (Tekton.PipelineResult r : pipeline.spec().results()) {
            for (String v : variables(r.value())) {
                String problem = pipelineVariable(v, params, pipeline, tasks, before);
                if (problem != null) {
                    problems.add(where + " result " + r.name() + ": $(" + v + ") " + problem);
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
            PipelineTask pt = pipeline.spec().tasks().stream().filter(t -> t.name().equals(parts[1])).findFirst().orElseThrow();
            Task task = tasks.get(pt.taskRef().name());
            return task.spec().results().stream().anyMatch(r -> r.name().equals(parts[3])) ? null
                    : "names no result of Task " + task.metadata().name();
        }
        return "is not a Pipeline variable";
    }

    public static List<String> pipelineRun(PipelineRun run, Map<String, Pipeline> pipelines) {
        List<String> problems = new ArrayList<>();
        String where = "PipelineRun " + (run.metadata().name() != null ? run.metadata().name() : run.metadata().generateName());
        Pipeline pipeline = run.spec().pipelineRef() == null ? null : pipelines.get(run.spec().pipelineRef().name());
        if (pipeline == null) {
            problems.add(where + ": no such Pipeline");
            return problems;
        }
        Set<String> given = run.spec().params().stream().map(Param::name).collect(Collectors.toSet());
        Set<String> declared = pipeline.spec().params().stream().map(ParamSpec::name).collect(Collectors.toSet());
        for (ParamSpec p : pipeline.spec().params()) {
            if (p.defaultValue() == null && !given.contains(p.name())) {
                problems.add(where + ": required param " + p.name() + " not given");
            }
        }
        for (String g : given) {
            if (!declared.contains(g)) {
                problems.add(where + ": the Pipeline has no param " + g);
            }
        }
        Set<String> bound = new HashSet<>();
        for (Tekton.WorkspaceBinding w : run.spec().workspaces()) {
            bound.add(w.name());
            long sources = java.util.stream.Stream.of(w.volumeClaimTemplate(), w.persistentVolumeClaim(), w.emptyDir(),
                    w.configMap(), w.secret()).filter(java.util.Objects::nonNull).count();
            if (sources != 1) {
                problems.add(where + ": workspace " + w.name() + " needs exactly one volume source");
            }
        }
        for (Tekton.PipelineWorkspace w : pipeline.spec().workspaces()) {
            if (!w.isOptional() && !bound.contains(w.name())) {
                problems.add(where + ": required workspace " + w.name() + " not bound");
            }
        }
        return problems;
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
