package io.slipway.oci.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerChallengeTest {
    @Test
    void parsesQuotedParametersWithCommasInTheScope() {
        BearerChallenge c = BearerChallenge.parse(
                "Bearer realm=\"http://127.0.0.1:5000/token\",service=\"slipway\",scope=\"repository:a/b:pull,push\"");
        assertThat(c).isEqualTo(new BearerChallenge("http://127.0.0.1:5000/token", "slipway", "repository:a/b:pull,push"));
    }

    @Test
    void otherSchemesAndMissingRealmAreNotBearerChallenges() {
        assertThat(BearerChallenge.parse("Basic realm=\"x\"")).isNull();
        assertThat(BearerChallenge.parse("Bearer service=\"x\"")).isNull();
        assertThat(BearerChallenge.parse(null)).isNull();
    }
}
