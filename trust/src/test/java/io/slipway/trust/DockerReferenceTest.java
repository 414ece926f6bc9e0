package io.slipway.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DockerReferenceTest {

    private static final String DIGEST = "sha256:06ccbe521fe15357343d8400aab0997585041ec6e0a5121f2b65e6bf81538f1b";

    @ParameterizedTest
    @CsvSource({
            "busybox, docker.io/library/busybox",
            "busybox:1.36, docker.io/library/busybox:1.36",
            "library/busybox, docker.io/library/busybox",
            "docker.io/busybox, docker.io/library/busybox",
            "index.docker.io/library/busybox:latest, docker.io/library/busybox:latest",
            "team/app:v1, docker.io/team/app:v1",
            "localhost/app, localhost/app",
            "localhost:5000/team/app:v1, localhost:5000/team/app:v1",
            "127.0.0.1:5090/vectors/app:v1, 127.0.0.1:5090/vectors/app:v1",
            "registry.example.com/a/b/c, registry.example.com/a/b/c",
            "Registry/app, Registry/app",
            "[::1]:5000/team/app, [::1]:5000/team/app",
    })
    void normalizesLikeDocker(String input, String normalized) {
        assertThat(DockerReference.parse(input).toString()).isEqualTo(normalized);
    }

    @Test
    void splitsTagAndDigest() {
        DockerReference ref = DockerReference.parse("127.0.0.1:5000/team/app:v1@" + DIGEST);
        assertThat(ref.name()).isEqualTo("127.0.0.1:5000/team/app");
        assertThat(ref.domain()).isEqualTo("127.0.0.1:5000");
        assertThat(ref.path()).isEqualTo("team/app");
        assertThat(ref.tag()).isEqualTo("v1");
        assertThat(ref.digest()).isEqualTo(Digest.parse(DIGEST));
        assertThat(ref.isNameOnly()).isFalse();
        assertThat(DockerReference.parse("host:5000/team/app").isNameOnly()).isTrue();
        assertThat(DockerReference.parse("host:5000/team/app").tag()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ns/App", "host/Team/app", "host/team//app", "host/team/app:", "host/app:-bad",
            "host/app@sha256:short", "host/app@md5:00", "/app", "host/app/",
            "0123456789012345678901234567890123456789012345678901234567890123"})
    void refusesInvalidReferences(String input) {
        assertThatThrownBy(() -> DockerReference.parse(input)).isInstanceOf(IllegalArgumentException.class);
    }
}
