package io.slipway.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {
    private static final String HEX = "0123456789abcdef".repeat(4);

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "nginx,                                  -,                 nginx,          -",
            "nginx:1.25,                             -,                 nginx,          1.25",
            "team/app:v1,                            -,                 team/app,       v1",
            "localhost/app,                          localhost,         app,            -",
            "localhost:5000/team/app:1.0,            localhost:5000,    team/app,       1.0",
            "registry.example.com/a/b/c,             registry.example.com, a/b/c,       -",
            "127.0.0.1:5000/team/app:latest,         127.0.0.1:5000,    team/app,       latest",
            "[::1]:5000/team/app,                    '[::1]:5000',      team/app,       -",
            "Docker.IO/library/x,                    Docker.IO,         library/x,      -",
    })
    void splitsNames(String text, String registry, String repository, String tag) {
        Reference ref = Reference.parse(text);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag()).isEqualTo(tag);
        assertThat(ref.digest()).isNull();
        assertThat(ref.toString()).isEqualTo(text);
    }

    @Test
    void keepsTagAndDigestTogether() {
        Reference ref = Reference.parse("127.0.0.1:5000/team/app:1.2@sha256:" + HEX);
        assertThat(ref.tag()).isEqualTo("1.2");
        assertThat(ref.digest()).isEqualTo(Digest.parse("sha256:" + HEX));
        assertThat(ref.name()).isEqualTo("127.0.0.1:5000/team/app");
        assertThat(ref.toString()).isEqualTo("127.0.0.1:5000/team/app:1.2@sha256:" + HEX);
        assertThat(Reference.parse("team/app@sha256:" + HEX).tag()).isNull();
    }

    @Test
    void comparesRepositoriesWithDockerHubDefaults() {
        assertThat(Reference.parse("nginx:1").sameRepository(Reference.parse("docker.io/library/nginx@sha256:" + HEX))).isTrue();
        assertThat(Reference.parse("index.docker.io/library/nginx").canonicalName()).isEqualTo("docker.io/library/nginx");
        assertThat(Reference.parse("reg.io/team/app").sameRepository(Reference.parse("reg.io/team/app2"))).isFalse();
        assertThat(Reference.parse("reg.io/team/app").sameRepository(Reference.parse("other.io/team/app"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "team/App", "team/app:", "team/app:-x", "team//app", "/app", "app/",
            "team/app@sha256:abc", "team/app@md5:00", "team/app:1@", "a b", "reg.io/Team/app",
            "rég.io/app", "team/app:tag:more"})
    void refusesBadReferences(String text) {
        assertThatThrownBy(() -> Reference.parse(text)).isInstanceOf(InvalidNameException.class);
    }

    @Test
    void refusesOverlongTags() {
        assertThatThrownBy(() -> Reference.parse("team/app:" + "t".repeat(129))).isInstanceOf(InvalidNameException.class);
        assertThat(Reference.parse("team/app:" + "t".repeat(128)).tag()).hasSize(128);
    }

    @Test
    void errorsNameTheInput() {
        assertThatThrownBy(() -> Reference.parse("team/app@sha256:nothex"))
                .hasMessageContaining("team/app@sha256:nothex");
    }
}
