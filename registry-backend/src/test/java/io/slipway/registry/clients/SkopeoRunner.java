package io.slipway.registry.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * skopeo with a private policy, registries.d, auth file, registries.conf, containers.conf, HOME
 * and TMPDIR, so that nothing from the machine's own configuration takes part in a test.
 */
final class SkopeoRunner {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path skopeo;
    private final Path work;
    private final Map<String, String> env = new HashMap<>();
    private final List<String> globalFlags = new ArrayList<>();
    private Path policy;

    SkopeoRunner(Path dir) throws IOException {
        skopeo = ExternalTools.require("skopeo");
        work = Files.createDirectories(dir);
        Path home = Files.createDirectories(work.resolve("home"));
        Path temp = Files.createDirectories(work.resolve("tmp"));
        Path policy = Files.writeString(work.resolve("policy.json"),
                "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
        Path registriesD = Files.createDirectories(work.resolve("registries.d"));
        // Signatures (none are made here) would otherwise be looked up in /var/lib/containers/sigstore.
        Path lookaside = Files.createDirectories(work.resolve("lookaside"));
        Files.writeString(registriesD.resolve("default.yaml"), "default-docker:\n  lookaside: "
                + lookaside.toUri() + "\n  lookaside-staging: " + lookaside.toUri() + "\n");
        Path auth = Files.writeString(work.resolve("auth.json"), "{\"auths\":{}}");
        Path registriesConf = Files.writeString(work.resolve("registries.conf"),
                "unqualified-search-registries = []\n");
        Path containersConf = Files.writeString(work.resolve("containers.conf"), "");
        env.put("HOME", home.toString());
        env.put("TMPDIR", temp.toString());
        env.put("XDG_RUNTIME_DIR", Files.createDirectories(work.resolve("run")).toString());
        env.put("XDG_CONFIG_HOME", Files.createDirectories(home.resolve(".config")).toString());
        env.put("REGISTRY_AUTH_FILE", auth.toString());
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        env.put("CONTAINERS_CONF", containersConf.toString());
        this.policy = policy;
        globalFlags.addAll(List.of("--registries.d", registriesD.toString(), "--tmpdir", temp.toString()));
    }

    /** Uses another containers-policy.json from now on. */
    void policy(Path file) {
        this.policy = file;
    }

    /** Adds (or replaces) an environment variable of the skopeo processes (GNUPGHOME, say). */
    void env(String name, String value) {
        env.put(name, value);
    }

    Path work() {
        return work;
    }

    /** Runs skopeo and requires it to succeed. */
    ExternalTools.Result ok(String... args) throws IOException, InterruptedException {
        ExternalTools.Result result = run(List.of(args));
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    ExternalTools.Result run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(skopeo.toString());
        command.addAll(List.of("--policy", policy.toString()));
        command.addAll(globalFlags);
        command.addAll(args);
        return ExternalTools.run(work, env, TIMEOUT, command);
    }
}
