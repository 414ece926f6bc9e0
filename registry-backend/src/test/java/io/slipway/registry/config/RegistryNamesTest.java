package io.slipway.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which hosts are this registry's: its listen address, its external URL's host, and configured names. */
class RegistryNamesTest {
    @TempDir
    Path tmp;

    @Test
    void theListenAddressIsANameByDefault() {
        RegistryNames names = RegistryNames.of(RegistryConfig.defaults().withListen("127.0.0.1:5000"), 5000);
        assertThat(names.isOwn("127.0.0.1:5000")).isTrue();
        assertThat(names.isOwn("127.0.0.1:5001")).isFalse();
        assertThat(names.isOwn("127.0.0.1")).isFalse();
        assertThat(names.isOwn("localhost:5000")).as("not configured").isFalse();
        assertThat(names.isOwn("docker.io")).isFalse();
        assertThat(names.isOwn(null)).isFalse();
        // Listening everywhere, the loopback names reach it; the bound port counts (port 0 in tests).
        RegistryNames any = RegistryNames.of(RegistryConfig.defaults().withListen("0.0.0.0:0"), 41234);
        assertThat(any.isOwn("127.0.0.1:41234")).isTrue();
        assertThat(any.isOwn("localhost:41234")).isTrue();
    }

    @Test
    void theExternalUrlAndConfiguredNamesAreNamesToo() throws IOException {
        Path file = tmp.resolve("registry.yaml");
        Files.writeString(file, """
                listen: 127.0.0.1:5000
                externalUrl: https://Registry.Example.com
                names: [registry.internal:5000, "10.0.0.7:5000"]
                """);
        RegistryConfig config = RegistryConfig.load(file);
        RegistryNames names = RegistryNames.of(config, 5000);
        assertThat(names.isOwn("registry.example.com")).isTrue();
        assertThat(names.isOwn("registry.example.com:443")).as("spelt with the port it is another name").isFalse();
        assertThat(names.isOwn("registry.internal:5000")).isTrue();
        assertThat(names.isOwn("10.0.0.7:5000")).isTrue();
        assertThat(names.isOwn("127.0.0.1:5000")).isTrue();

        Files.writeString(file, "externalUrl: registry.example.com\n");
        assertThatThrownBy(() -> RegistryConfig.load(file)).isInstanceOf(IOException.class).hasMessageContaining("externalUrl");
        Files.writeString(file, "names: registry.example.com\n");
        assertThatThrownBy(() -> RegistryConfig.load(file)).isInstanceOf(IOException.class).hasMessageContaining("names");
    }
}
