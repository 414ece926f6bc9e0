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

    @ParameterizedTest(name = "exactReference {0}: signed {1} -> {2}")
    @CsvSource({
            "h/ns/app:v1, h/ns/app:v1, true",
            "h/ns/app:v1, h/ns/app:v2, false",
            "h/ns/app:v1, h/ns/app, false",
            "h/ns/app" + D1 + ", h/ns/app" + D1 + ", true",
            "h/ns/app" + D1 + ", h/ns/app:v1, false",
    })
    void exactReferenceIgnoresTheImageName(String required, String signed, boolean expected) {
        IdentityMatch rule = new IdentityMatch.ExactReference(DockerReference.parse(required));
        // The image's own name plays no part: only what the signature claims.
        assertThat(rule.matches(DockerReference.parse("elsewhere.example/x/y:z"), DockerReference.parse(signed)))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "exactRepository {0}: signed {1} -> {2}")
    @CsvSource({
            "h/ns/app, h/ns/app:v1, true",
            "h/ns/app, h/ns/app" + D2 + ", true",
            "h/ns/app, h/ns/app, true",
            "h/ns/app, h/ns/app2:v1, false",
    })
    void exactRepositoryNeedsTheRepositoryAlone(String required, String signed, boolean expected) {
        IdentityMatch rule = new IdentityMatch.ExactRepository(DockerReference.parse(required));
        assertThat(rule.matches(DockerReference.parse("elsewhere.example/x/y:z"), DockerReference.parse(signed)))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "remapIdentity {0} -> {1}: image {2} / signed {3} -> {4}")
    @CsvSource({
            // a promoted copy: prod's name is read as dev's, then matchRepoDigestOrExact
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prod/app" + D1 + ", r.example:5000/dev/app" + D1 + ", true",
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prod/app" + D1 + ", r.example:5000/dev/app:v1, true",
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prod/app:v1, r.example:5000/dev/app:v1, true",
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prod/app:v1, r.example:5000/dev/app:v2, false",
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prod/app" + D1 + ", r.example:5000/dev/other" + D1 + ", false",
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prod/app" + D1 + ", r.example:5000/dev/app, false",
            // outside the prefix the name is compared as it is
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prodx/app" + D1 + ", r.example:5000/dev/app" + D1 + ", false",
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prodx/app" + D1 + ", r.example:5000/prodx/app" + D1 + ", true",
            "r.example:5000/prod, r.example:5000/dev, r.example:5000/prod/app" + D1 + ", r.example:5000/prod/app" + D1 + ", false",
            // a repository prefix may be followed by a tag or digest; a bare host only by a path
            "r.example/prod/app, r.example/dev/app, r.example/prod/app:v1, r.example/dev/app:v1, true",
            "r.example, mirror.example, r.example/ns/app:v1, mirror.example/ns/app:v1, true",
            "r.example, mirror.example, r.example:5000/ns/app:v1, mirror.example:5000/ns/app:v1, false",
    })
    void remapIdentityRenamesThePrefixFirst(String prefix, String signedPrefix, String image, String signed, boolean expected) {
        IdentityMatch rule = new IdentityMatch.RemapIdentity(prefix, signedPrefix);
        assertThat(rule.matches(DockerReference.parse(image), DockerReference.parse(signed))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "remapIdentity {0} -> {1} is refused")
    @CsvSource({
            "r.example/prod:v1, r.example/dev",
            "r.example/prod" + D1 + ", r.example/dev",
            "prod/app, r.example/dev",
            "r.example/prod/, r.example/dev",
    })
    void remapIdentityPrefixesAreNamesWithAHost(String prefix, String signedPrefix) {
        assertThatThrownBy(() -> new IdentityMatch.RemapIdentity(prefix, signedPrefix))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesAreThoseOfContainersPolicyJson() {
        assertThat(IdentityMatch.fromPolicyName("matchRepoDigestOrExact")).isEqualTo(IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        assertThat(IdentityMatch.MATCH_EXACT.policyName()).isEqualTo("matchExact");
        assertThatThrownBy(() -> IdentityMatch.fromPolicyName("remapIdentity")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes parameters");
        assertThatThrownBy(() -> IdentityMatch.fromPolicyName("matchAnything")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("remapIdentity");
        assertThatThrownBy(() -> new IdentityMatch.ExactReference(DockerReference.parse("h/ns/app")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdentityMatch.ExactRepository(DockerReference.parse("h/ns/app:v1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
