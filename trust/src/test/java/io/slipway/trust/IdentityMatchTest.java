package io.slipway.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The signedIdentity rules of containers-policy.json, case by case. */
class IdentityMatchTest {

    private static final String D1 = "@sha256:06ccbe521fe15357343d8400aab0997585041ec6e0a5121f2b65e6bf81538f1b";
    private static final String D2 = "@sha256:1111111111111111111111111111111111111111111111111111111111111111";

    @ParameterizedTest(name = "{0}: image {1} / signed {2} -> {3}")
    @CsvSource({
            // matchExact: identical, and both name a tag or a digest
            "matchExact, h/ns/app:v1, h/ns/app:v1, true",
            "matchExact, h/ns/app:v1, h/ns/app:v2, false",
            "matchExact, h/ns/app:v1, h/ns/other:v1, false",
            "matchExact, h/ns/app" + D1 + ", h/ns/app" + D1 + ", true",
            "matchExact, h/ns/app" + D1 + ", h/ns/app:v1, false",
            "matchExact, h/ns/app, h/ns/app, false",
            "matchExact, busybox:1, docker.io/library/busybox:1, true",
            // matchRepoDigestOrExact: a digest reference needs only the repository
            "matchRepoDigestOrExact, h/ns/app" + D1 + ", h/ns/app:v1, true",
            "matchRepoDigestOrExact, h/ns/app" + D1 + ", h/ns/app" + D2 + ", true",
            "matchRepoDigestOrExact, h/ns/app" + D1 + ", h/ns/other:v1, false",
            "matchRepoDigestOrExact, h/ns/app" + D1 + ", h/ns/app, false",
            "matchRepoDigestOrExact, h/ns/app:v1, h/ns/app:v1, true",
            "matchRepoDigestOrExact, h/ns/app:v1, h/ns/app:v2, false",
            "matchRepoDigestOrExact, h/ns/app:v1, h/ns/app" + D1 + ", false",
            "matchRepoDigestOrExact, h/ns/app, h/ns/app:v1, false",
            // matchRepository: the repository alone
            "matchRepository, h/ns/app:v1, h/ns/app:v2, true",
            "matchRepository, h/ns/app" + D1 + ", h/ns/app, true",
            "matchRepository, h/ns/app:v1, h/ns/app2:v1, false",
            "matchRepository, h/ns/app:v1, other/ns/app:v1, false",
    })
    void matchesAsContainersPolicyDoes(String rule, String image, String signed, boolean expected) {
        assertThat(IdentityMatch.fromPolicyName(rule).matches(DockerReference.parse(image), DockerReference.parse(signed)))
                .isEqualTo(expected);
    }

    @Test
    void namesAreThoseOfContainersPolicyJson() {
        assertThat(IdentityMatch.fromPolicyName("matchRepoDigestOrExact")).isEqualTo(IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        assertThat(IdentityMatch.MATCH_EXACT.policyName()).isEqualTo("matchExact");
        assertThatThrownBy(() -> IdentityMatch.fromPolicyName("remapIdentity")).isInstanceOf(IllegalArgumentException.class);
    }
}
