package io.slipway.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"team/app", "a/b/c/d", "my-org/my.app", "ns/a__b", "ns/a---b", "0/1", "ns/blobs"})
    void accepts(String name) {
        assertThat(RepositoryName.parse(name).value()).isEqualTo(name);
        assertThat(RepositoryName.parse(name).namespace()).isEqualTo(name.substring(0, name.indexOf('/')));
    }

    @ParameterizedTest
    @ValueSource(strings = {"app", "", "/app", "team/", "team//app", "Team/app", "team/../etc", "team/./app",
            "team/.app", "team/app.", "team/a___b", "team/-app", "team/app-", "team/a b", "team/a%2fb",
            "team\\app", "team/app\u0000", "team/äpp"})
    void refuses(String name) {
        assertThatThrownBy(() -> RepositoryName.parse(name)).isInstanceOf(InvalidNameException.class);
    }

    @org.junit.jupiter.api.Test
    void refusesOverlongNames() {
        assertThat(RepositoryName.problem("a/" + "b".repeat(253), 255)).isNull();
        assertThat(RepositoryName.problem("a/" + "b".repeat(254), 255)).contains("longer than 255");
    }
}
