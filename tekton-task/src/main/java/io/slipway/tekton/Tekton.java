package io.slipway.tekton;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The part of Tekton's {@code tekton.dev/v1} API that Slipway's Tasks, Pipeline and PipelineRun
 * use, as records. Reading rejects any field the records do not name (a typo in a Task is an
 * error here, as the Tekton webhook would make it one), so a file that reads is well-formed v1 for
 * these fields; {@link TektonCheck} then checks the references between them.
 */
public final class Tekton {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Tekton() {
    }

    public record Metadata(String name, String generateName, String namespace, Map<String, String> labels,
                           Map<String, String> annotations) {
    }

    // --- Task

    public record Task(String apiVersion, String kind, Metadata metadata, TaskSpec spec) {
    }

    public record TaskSpec(String description, List<ParamSpec> params, List<WorkspaceDeclaration> workspaces,
                           List<TaskResult> results, List<Step> steps) {
        public TaskSpec {
            params = params == null ? List.of() : params;
            workspaces = workspaces == null ? List.of() : workspaces;
            results = results == null ? List.of() : results;
            steps = steps == null ? List.of() : steps;
        }
    }

    /** A parameter; {@code default} absent means the caller must give it. */
    public record ParamSpec(String name, String type, String description, @JsonProperty("default") String defaultValue) {
    }

    public record WorkspaceDeclaration(String name, String description, Boolean optional, Boolean readOnly,
                                       String mountPath) {
        public boolean isOptional() {
            return Boolean.TRUE.equals(optional);
        }
    }

    public record TaskResult(String name, String type, String description) {
    }

    public record Step(String name, String image, String workingDir, List<EnvVar> env, String script,
                       List<String> command, List<String> args, SecurityContext securityContext) {
        public Step {
            env = env == null ? List.of() : env;
        }
    }

    public record EnvVar(String name, String value, JsonNode valueFrom) {
    }

    public record SecurityContext(Boolean runAsNonRoot, Long runAsUser, Boolean privileged,
                                  Boolean allowPrivilegeEscalation) {
    }

    // --- Pipeline

    public record Pipeline(String apiVersion, String kind, Metadata metadata, PipelineSpec spec) {
    }

    public record PipelineSpec(String description, List<ParamSpec> params, List<PipelineWorkspace> workspaces,
                               List<PipelineResult> results, List<PipelineTask> tasks) {
        public PipelineSpec {
            params = params == null ? List.of() : params;
            workspaces = workspaces == null ? List.of() : workspaces;
            results = results == null ? List.of() : results;
            tasks = tasks == null ? List.of() : tasks;
        }
    }

    public record PipelineWorkspace(String name, String description, Boolean optional) {
        public boolean isOptional() {
            return Boolean.TRUE.equals(optional);
        }
    }

    public record PipelineResult(String name, String description, String value) {
    }

    public record PipelineTask(String name, TaskRef taskRef, List<Param> params, List<WorkspaceUse> workspaces,
                               List<String> runAfter) {
        public PipelineTask {
            params = params == null ? List.of() : params;
            workspaces = workspaces == null ? List.of() : workspaces;
            runAfter = runAfter == null ? List.of() : runAfter;
        }
    }

    public record TaskRef(String name) {
    }

    public record Param(String name, String value) {
    }

    /** A Task's workspace given the Pipeline's workspace of that name. */
    public record WorkspaceUse(String name, String workspace) {
    }

    // --- PipelineRun

    public record PipelineRun(String apiVersion, String kind, Metadata metadata, PipelineRunSpec spec) {
    }

    public record PipelineRunSpec(TaskRef pipelineRef, List<Param> params, List<WorkspaceBinding> workspaces) {
        public PipelineRunSpec {
            params = params == null ? List.of() : params;
            workspaces = workspaces == null ? List.of() : workspaces;
        }
    }

    /** One volume source per binding, as Kubernetes gives them. */
    public record WorkspaceBinding(String name, JsonNode volumeClaimTemplate, JsonNode persistentVolumeClaim,
                                   JsonNode emptyDir, JsonNode configMap, JsonNode secret, String subPath) {
    }

    public static Task task(Path file) throws IOException {
        return read(file, Task.class, "Task");
    }

    public static Pipeline pipeline(Path file) throws IOException {
        return read(file, Pipeline.class, "Pipeline");
    }

    public static PipelineRun pipelineRun(Path file) throws IOException {
        return read(file, PipelineRun.class, "PipelineRun");
    }

    private static <T> T read(Path file, Class<T> type, String kind) throws IOException {
        JsonNode tree = YAML.readTree(file.toFile());
        if (!"tekton.dev/v1".equals(tree.path("apiVersion").asText()) || !kind.equals(tree.path("kind").asText())) {
            throw new IOException(file + ": not a tekton.dev/v1 " + kind);
        }
        return YAML.treeToValue(tree, type);
    }
}
