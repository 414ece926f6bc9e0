package io.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;

/**
 * Where the CLI finds the registry and the credentials for it, in order: flags, the environment
 * ({@code SLIPWAY_REGISTRY}, {@code SLIPWAY_API_KEY}), the file {@code slipway login} wrote
 * ({@code ~/.slipway/credentials.json}, mode 0600), a Docker {@code config.json}.
 */
record Credentials(String registry, String user, String secret) {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String API_KEY_USER = "iamapikey";

    static Path loginFile(Map<String, String> env) {
        // As docker reads DOCKER_CONFIG, then $HOME/.docker: the user's $HOME, not the JVM's idea of it.
        String dir = System.getProperty("slipway.home", env.getOrDefault("SLIPWAY_CONFIG",
                env.getOrDefault("SLIPWAY_HOME", home(env) + "/.slipway")));
        return Path.of(dir, "credentials.json");
    }

    /** {@code $HOME} when set, as docker, git and the shell take it; else the JVM's {@code user.home}. */
    static String home(Map<String, String> env) {
        String home = env.get("HOME");
        return home != null && !home.isBlank() ? home : System.getProperty("user.home");
    }

    /** Never the secret: a record's toString ends up in logs and exception messages. */
    @Override
    public String toString() {
        return "Credentials[registry=" + registry + ", user=" + user + ", secret=" + (secret == null ? "none" : "***") + "]";
    }

    /** These credentials as pipeline-core takes them (the steps' and the management client's). */
    io.slipway.pipeline.RegistryAccess access() {
        return new io.slipway.pipeline.RegistryAccess(registry, user, secret);
    }

    String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static Credentials resolve(String registryFlag, String apiKeyFlag, Map<String, String> env) throws IOException {
        String registry = registryFlag != null ? registryFlag : env.get("SLIPWAY_REGISTRY");
        String key = apiKeyFlag != null ? apiKeyFlag : env.get("SLIPWAY_API_KEY");
        Path file = loginFile(env);
        JsonNode saved = Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
        if (registry == null && saved != null) {
            registry = saved.path("registry").asText(null);
        }
        if (registry == null) {
            throw new IllegalArgumentException("no registry: pass --registry, set SLIPWAY_REGISTRY or run slipway login");
        }
        registry = normalize(registry);
        if (key != null) {
            return new Credentials(registry, API_KEY_USER, key);
        }
        if (saved != null && registry.equals(saved.path("registry").asText())) {
            return new Credentials(registry, saved.path("user").asText(API_KEY_USER), saved.path("secret").asText());
        }
        Credentials docker = fromDockerConfig(registry, env);
        if (docker != null) {
            return docker;
        }
        return new Credentials(registry, null, null);
    }

    /** {@code http://host:port} without a trailing slash; a bare host:port is taken as http. */
    static String normalize(String registry) {
        String r = registry.trim();
        if (!r.startsWith("http://") && !r.startsWith("https://")) {
            r = "http://" + r;
        }
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    static String hostOf(String registry) {
        return registry.replaceFirst("^https?://", "");
    }

    private static Credentials fromDockerConfig(String registry, Map<String, String> env) throws IOException {
        Path config = dockerConfig(env);
        if (!Files.isRegularFile(config)) {
            return null;
        }
        JsonNode auth = JSON.readTree(config.toFile()).path("auths").path(hostOf(registry)).path("auth");
        if (!auth.isTextual()) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new Credentials(registry, decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    static Path dockerConfig(Map<String, String> env) {
        String dir = System.getProperty("docker.config",
                env.getOrDefault("DOCKER_CONFIG", home(env) + "/.docker"));
        return Path.of(dir, "config.json");
    }

    /** Writes the login file readable by its owner only. */
    void save(Map<String, String> env) throws IOException {
        Path file = loginFile(env);
        Files.createDirectories(file.getParent());
        ObjectNode node = JSON.createObjectNode();
        node.put("registry", registry);
        node.put("user", user);
        node.put("secret", secret);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node), StandardOpenOption.WRITE);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Adds (or replaces) this registry's entry in a Docker config.json, keeping everything else. */
    void saveDockerConfig(Map<String, String> env) throws IOException {
        Path config = dockerConfig(env);
        Files.createDirectories(config.getParent());
        ObjectNode root = Files.isRegularFile(config) ? (ObjectNode) JSON.readTree(config.toFile()) : JSON.createObjectNode();
        ObjectNode auths = root.has("auths") ? (ObjectNode) root.get("auths") : root.putObject("auths");
        auths.putObject(hostOf(registry)).put("auth",
                Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        if (!Files.exists(config)) {
            Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(config, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root),
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}
