package io.slipway.tekton;

import io.slipway.tekton.Tekton.EnvVar;
import io.slipway.tekton.Tekton.ParamSpec;
import io.slipway.tekton.Tekton.Step;
import io.slipway.tekton.Tekton.Task;
import io.slipway.tekton.Tekton.TaskResult;
import io.slipway.tekton.Tekton.WorkspaceDeclaration;
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
public final class TaskHarness {
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
        Path runDir = Files.createTempDirectory(work, task.metadata().name() + "-");
        Path resultsDir = Files.createDirectories(runDir.resolve("results"));
        Map<String, String> values = new HashMap<>();
        for (ParamSpec p : task.spec().params()) {
            String v = params.containsKey(p.name()) ? params.get(p.name()) : p.defaultValue();
            if (v == null) {
                throw new IllegalArgumentException(task.metadata().name() + ": param " + p.name() + " is required");
            }
            values.put("params." + p.name(), v);
        }
        for (String given : params.keySet()) {
            if (!values.containsKey("params." + given)) {
                throw new IllegalArgumentException(task.metadata().name() + " has no param " + given);
            }
        }
        for (TaskResult r : task.spec().results()) {
            values.put("results." + r.name() + ".path", resultsDir.resolve(r.name()).toString());
        }
        for (WorkspaceDeclaration w : task.spec().workspaces()) {
            Path dir = workspaces.get(w.name());
            if (dir == null && !w.isOptional()) {
                throw new IllegalArgumentException(task.metadata().name() + ": workspace " + w.name() + " is required");
            }
            values.put("workspaces." + w.name() + ".bound", String.valueOf(dir != null));
            values.put("workspaces." + w.name() + ".path", dir == null ? "" : dir.toString());
        }
        StringBuilder output = new StringBuilder();
        int code = 0;
        java.util.Set<Path> mounts = new java.util.LinkedHashSet<>(List.of(runDir));
        workspaces.values().forEach(mounts::add);
        for (Step step : task.spec().steps()) {
            Path script = runDir.resolve("step-" + step.name());
            Files.writeString(script, step.script(), StandardCharsets.UTF_8);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("HOME", runDir.toString());
            env.putAll(environment);
            for (EnvVar e : step.env()) {
                env.put(e.name(), substitute(e.value(), values));
            }
            Path dir = step.workingDir() == null ? runDir : Path.of(substitute(step.workingDir(), values));
            code = runner.run(script, env, dir, mounts, output);
            if (code != 0) {
                break;
            }
        }
        Map<String, String> results = new LinkedHashMap<>();
        for (TaskResult r : task.spec().results()) {
            Path file = resultsDir.resolve(r.name());
            if (Files.exists(file)) {
                results.put(r.name(), Files.readString(file));
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
