package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the CLI keeps its login: as docker does, under the user's $HOME or the folder the environment names. */
class CredentialsTest {
    @TempDir
    Path dir;

    @Test
    void theLoginLivesUnderHomeNotTheJvmsUserHome() throws Exception {
        Map<String, String> env = Map.of("HOME", dir.toString());
        assertThat(Credentials.loginFile(env)).isEqualTo(dir.resolve(".slipway/credentials.json"));
        assertThat(Credentials.dockerConfig(env)).isEqualTo(dir.resolve(".docker/config.json"));
        new Credentials("http://127.0.0.1:5000", "iamapikey", "s3cret-key").save(env);
        Path saved = dir.resolve(".slipway/credentials.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved))).isEqualTo("rw-------");
        Credentials read = Credentials.resolve(null, null, env);
        assertThat(read.secret()).isEqualTo("s3cret-key");
        assertThat(read.toString()).doesNotContain("s3cret-key").contains("127.0.0.1:5000");
    }

    @Test
    void slipwayConfigNamesTheFolder() {
        Path config = dir.resolve("ci-config");
        assertThat(Credentials.loginFile(Map.of("HOME", dir.toString(), "SLIPWAY_CONFIG", config.toString())))
                .isEqualTo(config.resolve("credentials.json"));
        assertThat(Credentials.dockerConfig(Map.of("HOME", dir.toString(), "DOCKER_CONFIG", config.toString())))
                .isEqualTo(config.resolve("config.json"));
    }
}
