package io.slipway.tekton;

import static io.slipway.tekton.Tekton.list;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.tekton.v1.ParamSpec;
import io.fabric8.tekton.v1.Step;
import io.fabric8.tekton.v1.Task;
import io.fabric8.tekton.v1.TaskResult;
import io.fabric8.tekton.v1.WorkspaceDeclaration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * Runs a Task's steps on this machine the way Tekton's entrypoint runs them in a pod: parameters
 * (given or defaulted) substituted into image, workingDir and env; {@code $(results.x.path)}
 * mapped to files of a results folder; {@code $(workspaces.x.path)} to folders given by the
 * caller, {@code .bound} telling whether one was given; each step's script written to a file and
 * run with /bin/sh in that environment, the commands of the task image (slipway) found on the
 * PATH given. A failing step fails the Task and the later steps do not run.
 */
final class TaskHarness {
    /** What a Task run did: its exit code, everything its steps printed, and its results. */
    public record Run(int exitCode, String output, Map<String, String> results) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Runs one step's script. Every path a step sees (its script, workspaces, results, working
     * directory) is the same path inside as outside, so a runner that uses a container mounts each
     * at its own path and needs no translation.
     */
    @FunctionalInterface
    public interface StepRunner {
        /** Runs {@code /bin/sh script} and returns its exit code, adding what it printed to {@code output}. */
        int run(Path script, Map<String, String> env, Path workingDir, java.util.Set<Path> mounts, StringBuilder output)
                throws IOException, InterruptedException;
    }

    private final Path work;
    private final Map<String, String> environment;
    private final StepRunner runner;

    /**
     * @param work        a folder for results and scripts
     * @param binFolder   where the task image's commands are (put first on the PATH)
     * @param environment extra environment of every step (what a pod would get from its service account)
     */
    public TaskHarness(Path work, Path binFolder, Map<String, String> environment) {
        this(work, environment, onThisMachine(binFolder));
    }

    /** Steps run by {@code runner}, e.g. in a container of the task image. */
    public TaskHarness(Path work, Map<String, String> environment, StepRunner runner) {
        this.work = work;
        this.environment = Map.copyOf(environment);
        this.runner = runner;
    }

    /** Steps run by this machine's /bin/sh, with {@code binFolder} first on the PATH. */
    public static StepRunner onThisMachine(Path binFolder) {
        String path = binFolder + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return (script, env, workingDir, mounts, output) -> {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", script.toString()).redirectErrorStream(true);
            pb.environment().put("PATH", path);
            pb.environment().putAll(env);
            pb.directory(workingDir.toFile());
            Process p = pb.start();
            output.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("step " + script.getFileName() + " did not end");
            }
            return p.exitValue();
        };
    }

    public Run run(Task task, Map<String, String> params, Map<String, Path> workspaces) throws IOException, InterruptedException {
        String name = task.getMetadata().getName();
        Path runDir = Files.createTempDirectory(work, name + "-");
        Path resultsDir = Files.createDirectories(runDir.resolve("results"));
        Map<String, String> values = new HashMap<>();
        for (ParamSpec p : list(task.getSpec().getParams())) {
            String v = params.containsKey(p.getName()) ? params.get(p.getName()) : Tekton.string(p.getDefault());
            if (v == null) {
                throw new IllegalArgumentException(name + ": param " + p.getName() + " is required");
            }
            values.put("params." + p.getName(), v);
        }
        for (String given : params.keySet()) {
            if (!values.containsKey("params." + given)) {
                throw new IllegalArgumentException(name + " has no param " + given);
            }
        }
        for (TaskResult r : list(task.getSpec().getResults())) {
            values.put("results." + r.getName() + ".path", resultsDir.resolve(r.getName()).toString());
        }
        for (WorkspaceDeclaration w : list(task.getSpec().getWorkspaces())) {
            Path dir = workspaces.get(w.getName());
            if (dir == null && !Boolean.TRUE.equals(w.getOptional())) {
                throw new IllegalArgumentException(name + ": workspace " + w.getName() + " is required");
            }
            values.put("workspaces." + w.getName() + ".bound", String.valueOf(dir != null));
            values.put("workspaces." + w.getName() + ".path", dir == null ? "" : dir.toString());
        }
        StringBuilder output = new StringBuilder();
        int code = 0;
        java.util.Set<Path> mounts = new java.util.LinkedHashSet<>(List.of(runDir));
        workspaces.values().forEach(mounts::add);
        for (Step step : list(task.getSpec().getSteps())) {
            Path script = runDir.resolve("step-" + step.getName());
            Files.writeString(script, step.getScript(), StandardCharsets.UTF_8);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("HOME", runDir.toString());
            env.putAll(environment);
            for (EnvVar e : list(step.getEnv())) {
                env.put(e.getName(), substitute(e.getValue(), values));
            }
            Path dir = step.getWorkingDir() == null ? runDir : Path.of(substitute(step.getWorkingDir(), values));
            code = runner.run(script, env, dir, mounts, output);
            if (code != 0) {
                break;
            }
        }
        Map<String, String> results = new LinkedHashMap<>();
        for (TaskResult r : list(task.getSpec().getResults())) {
            Path file = resultsDir.resolve(r.getName());
            if (Files.exists(file)) {
                results.put(r.getName(), Files.readString(file));
            }
        }
        return new Run(code, output.toString(), results);
    }

    /** Replaces every {@code $(x)} Tekton knows; anything else stays (the shell's own). */
    static String substitute(String text, Map<String, String> values) {
        if (text == null) {
            return null;
        }
        Matcher m = TektonCheck.VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v != null ? v : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
