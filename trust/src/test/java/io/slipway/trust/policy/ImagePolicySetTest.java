package io.slipway.trust.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.trust.DockerReference;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePolicySetTest {

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
            "*, registry.local:5000/team/app:v1, true",
            "registry.local:5000/team/*, registry.local:5000/team/app:v1, true",
            "registry.local:5000/team/*, registry.local:5000/team/sub/app, true",
            "registry.local:5000/team/*, registry.local:5000/other/app, false",
            "registry.local:5000/team/app, registry.local:5000/team/app:v1, true",
            "registry.local:5000/team/app, registry.local:5000/team/app2, false",
            "registry.local:5000/team/app:v1, registry.local:5000/team/app:v1, true",
            "registry.local:5000/team/app:v1, registry.local:5000/team/app:v2, false",
            "registry.local:5000/team/app-*, registry.local:5000/team/app-api, true",
            "*/team/*, registry.local:5000/team/app, true",
            "busybox, docker.io/library/busybox:1.36, true",
            "docker.io/library/*, busybox, true",
    })
    void matchesRepositoryGlobs(String pattern, String image, boolean expected) {
        assertThat(new RepositoryPattern(pattern).matches(DockerReference.parse(image))).isEqualTo(expected);
    }

    @Test
    void theMostSpecificRuleWins() {
        ImagePolicySet set = new ImagePolicySet(List.of(cluster("wide", "*", "registry.local:5000/team/*"),
                cluster("narrow", "registry.local:5000/team/app-*", "registry.local:5000/team/app-api")));
        assertThat(rule(set, "x", "registry.local:5000/team/app-api:v1")).contains("registry.local:5000/team/app-api");
        assertThat(rule(set, "x", "registry.local:5000/team/app-web:v1")).contains("registry.local:5000/team/app-*");
        assertThat(rule(set, "x", "registry.local:5000/team/db:v1")).contains("registry.local:5000/team/*");
        assertThat(rule(set, "x", "elsewhere.example/x/y:1")).contains("*");
    }

    @Test
    void equallySpecificRulesGoToTheFirstStored() {
        ImagePolicySet set = new ImagePolicySet(List.of(cluster("first", "registry.local:5000/a*"), cluster("second", "registry.local:5000/*b")));
        assertThat(set.select("x", DockerReference.parse("registry.local:5000/ab/c")).orElseThrow().policy().name()).isEqualTo("first");
    }

    @Test
    void aNamespaceWithItsOwnPoliciesIgnoresTheClusterOnes() {
        ImagePolicySet set = new ImagePolicySet(List.of(cluster("default", "*"),
                new ImagePolicy(PolicyKind.IMAGE_POLICY, "own", "team-a",
                        List.of(new RepositoryRule(new RepositoryPattern("registry.local:5000/team-a/*"), Requirements.none())))));
        assertThat(rule(set, "team-a", "registry.local:5000/team-a/app")).contains("registry.local:5000/team-a/*");
        // Outside its own policies, team-a is denied even though the cluster policy would match.
        assertThat(rule(set, "team-a", "registry.local:5000/team-b/app")).isEmpty();
        assertThat(rule(set, "team-b", "registry.local:5000/team-b/app")).contains("*");
    }

    private static Optional<String> rule(ImagePolicySet set, String namespace, String image) {
        return set.select(namespace, DockerReference.parse(image)).map(s -> s.rule().pattern().glob());
    }

    private static ImagePolicy cluster(String name, String... patterns) {
        return new ImagePolicy(PolicyKind.CLUSTER_IMAGE_POLICY, name, null,
                java.util.Arrays.stream(patterns).map(p -> new RepositoryRule(new RepositoryPattern(p), Requirements.none())).toList());
    }
}
