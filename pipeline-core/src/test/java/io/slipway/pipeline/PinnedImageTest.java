package io.slipway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** PinnedImage is oci-core's Reference with a required digest, and keeps the host it was given. */
class PinnedImageTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void keepsTheHostForTheSignedIdentity() {
        PinnedImage withHost = PinnedImage.parse("registry.example:5000/acme-dev/svc:1@" + DIGEST);
        assertThat(withHost.registry()).isEqualTo("registry.example:5000");
        assertThat(withHost.repository()).isEqualTo("acme-dev/svc");
        assertThat(withHost.toString()).isEqualTo("registry.example:5000/acme-dev/svc@" + DIGEST);
        // The identity a signature names: the host written, not the one the client talks to.
        assertThat(withHost.identity("127.0.0.1:5000")).isEqualTo("registry.example:5000/acme-dev/svc@" + DIGEST);

        PinnedImage bare = PinnedImage.parse("acme-dev/svc@" + DIGEST);
        assertThat(bare.registry()).isNull();
        assertThat(bare.identity("127.0.0.1:5000")).isEqualTo("127.0.0.1:5000/acme-dev/svc@" + DIGEST);
        assertThat(bare.toString()).isEqualTo("acme-dev/svc@" + DIGEST);
    }

    @Test
    void refusesWhatReferenceRefuses() {
        assertThatThrownBy(() -> PinnedImage.parse("acme-dev/svc:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no digest");
        assertThatThrownBy(() -> PinnedImage.parse("Bad Host/acme-dev/svc@" + DIGEST)).isInstanceOf(IllegalArgumentException.class);
    }
}
