package io.slipway.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Digest;
import io.slipway.trust.SignatureVerificationException.Reason;
import io.slipway.trust.testing.Vectors;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SignaturePayloadTest {

    private static final String DIGEST = Vectors.IMAGE_DIGEST;
    private static final String CRITICAL = "{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},"
            + "\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"cosign container image signature\"}";

    @Test
    void writesTheSameBytesAsContainersImage() {
        // The skopeo vector's payload, rebuilt from its values, must come out byte for byte.
        SignaturePayload payload = new SignaturePayload(SignaturePayload.Type.COSIGN, Vectors.IMAGE_REFERENCE,
                Digest.parse(DIGEST), "containers/image 5.34.2", 1795881253L);
        assertThat(payload.toJson()).isEqualTo(Vectors.bytes("cosign/signature-payload.json"));
    }

    @Test
    void readsTheVectorPayload() throws Exception {
        SignaturePayload payload = SignaturePayload.parse(Vectors.bytes("cosign/signature-payload.json"), SignaturePayload.Type.COSIGN);
        assertThat(payload.dockerReference()).isEqualTo(Vectors.IMAGE_REFERENCE);
        assertThat(payload.manifestDigest()).hasToString(DIGEST);
        assertThat(payload.creator()).isEqualTo("containers/image 5.34.2");
        assertThat(payload.timestamp()).isEqualTo(1795881253L);
    }

    @Test
    void roundTripsWithoutOptionalValues() throws Exception {
        SignaturePayload payload = new SignaturePayload(SignaturePayload.Type.ATOMIC, "h.example/ns/app:v1",
                Digest.parse(DIGEST), null, null);
        assertThat(new String(payload.toJson(), StandardCharsets.UTF_8)).endsWith("\"optional\":{}}");
        assertThat(SignaturePayload.parse(payload.toJson(), SignaturePayload.Type.ATOMIC)).isEqualTo(payload);
    }

    @Test
    void acceptsTheNullOptionalCosignWrites() throws Exception {
        SignaturePayload payload = parse("{\"critical\":" + CRITICAL + ",\"optional\":null}");
        assertThat(payload.creator()).isNull();
        assertThat(payload.timestamp()).isNull();
    }

    @Test
    void ignoresUnknownOptionalMembers() throws Exception {
        SignaturePayload payload = parse("{\"critical\":" + CRITICAL + ",\"optional\":{\"creator\":\"x\",\"team\":\"a\",\"timestamp\":5}}");
        assertThat(payload.creator()).isEqualTo("x");
        assertThat(payload.timestamp()).isEqualTo(5L);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // an unknown critical member: a claim we would otherwise silently ignore
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\",\"expires\":1},\"optional\":{}}",
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\",\"extra\":1},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"},\"optional\":{}}",
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\",\"size\":3},\"type\":\"cosign container image signature\"},\"optional\":{}}",
            // missing members
            "{\"critical\":{\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"},\"optional\":{}}",
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"}}",
            // wrong types and values
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"atomic container signature\"},\"optional\":{}}",
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"image\":{\"docker-manifest-digest\":\"sha256:abc\"},\"type\":\"cosign container image signature\"},\"optional\":{}}",
            "{\"critical\":{\"identity\":{\"docker-reference\":7},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"},\"optional\":{}}",
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"},\"optional\":{\"timestamp\":1.5}}",
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"},\"optional\":{\"creator\":5}}",
            // duplicate keys could make two parsers see two different payloads
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"identity\":{\"docker-reference\":\"h.example/ns/evil:v1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"},\"optional\":{}}",
            // trailing data, not JSON, not an object
            "{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app:v1\"},\"image\":{\"docker-manifest-digest\":\"DIGEST\"},\"type\":\"cosign container image signature\"},\"optional\":{}} {}",
            "not json",
            "[]",
    })
    void refusesMalformedPayloads(String json) {
        assertThatThrownBy(() -> parse(json.replace("DIGEST", DIGEST)))
                .isInstanceOf(SignatureVerificationException.class)
                .satisfies(e -> assertThat(((SignatureVerificationException) e).reason()).isEqualTo(Reason.MALFORMED_PAYLOAD));
    }

    @Test
    void requiresTheImageDigestAndAMatchingIdentity() throws Exception {
        SignaturePayload payload = parse("{\"critical\":" + CRITICAL + ",\"optional\":{}}");
        payload.requireMatches(Image.of("h.example/ns/app:v1", Digest.parse(DIGEST)), IdentityMatch.MATCH_EXACT);

        Digest other = Digest.sha256("another manifest");
        assertThatThrownBy(() -> payload.requireMatches(Image.of("h.example/ns/app:v1", other), IdentityMatch.MATCH_EXACT))
                .satisfies(e -> assertThat(((SignatureVerificationException) e).reason()).isEqualTo(Reason.DIGEST_MISMATCH));
        assertThatThrownBy(() -> payload.requireMatches(Image.of("h.example/ns/app:v2", Digest.parse(DIGEST)), IdentityMatch.MATCH_EXACT))
                .satisfies(e -> assertThat(((SignatureVerificationException) e).reason()).isEqualTo(Reason.IDENTITY_MISMATCH));
        // By digest, the repository is enough under the default rule, but not under matchExact.
        payload.requireMatches(Image.of("h.example/ns/app@" + DIGEST, Digest.parse(DIGEST)), IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        assertThatThrownBy(() -> payload.requireMatches(Image.of("h.example/ns/app@" + DIGEST, Digest.parse(DIGEST)), IdentityMatch.MATCH_EXACT))
                .satisfies(e -> assertThat(((SignatureVerificationException) e).reason()).isEqualTo(Reason.IDENTITY_MISMATCH));
    }

    @Test
    void aCosignRepositoryOnlyIdentityClaimsTheSignedDigest() throws Exception {
        // What cosign 2.x writes: the repository alone, no tag, no digest.
        SignaturePayload cosign = parse("{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app\"},"
                + "\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"cosign container image signature\"},"
                + "\"optional\":null}");
        assertThat(cosign.claimedIdentity().toString()).isEqualTo("h.example/ns/app@" + DIGEST);
        Image byDigest = Image.of("h.example/ns/app@" + DIGEST, Digest.parse(DIGEST));
        cosign.requireMatches(byDigest, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
        cosign.requireMatches(byDigest, IdentityMatch.MATCH_EXACT);
        cosign.requireMatches(byDigest, IdentityMatch.MATCH_REPOSITORY);
        // It claims no tag, so an image known by a tag is not covered, except by matchRepository.
        Image byTag = Image.of("h.example/ns/app:v1", Digest.parse(DIGEST));
        assertThatThrownBy(() -> cosign.requireMatches(byTag, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT))
                .satisfies(e -> assertThat(((SignatureVerificationException) e).reason()).isEqualTo(Reason.IDENTITY_MISMATCH));
        cosign.requireMatches(byTag, IdentityMatch.MATCH_REPOSITORY);
        assertThatThrownBy(() -> cosign.requireMatches(Image.of("h.example/ns/other@" + DIGEST, Digest.parse(DIGEST)),
                IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT)).isInstanceOf(SignatureVerificationException.class);

        // A simple-signing payload's bare repository claims nothing, as in containers/image.
        SignaturePayload atomic = SignaturePayload.parse(("{\"critical\":{\"identity\":{\"docker-reference\":\"h.example/ns/app\"},"
                + "\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"atomic container signature\"},"
                + "\"optional\":{}}").getBytes(StandardCharsets.UTF_8), SignaturePayload.Type.ATOMIC);
        assertThatThrownBy(() -> atomic.requireMatches(byDigest, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT))
                .isInstanceOf(SignatureVerificationException.class);
    }

    private static SignaturePayload parse(String json) throws SignatureVerificationException {
        return SignaturePayload.parse(json.getBytes(StandardCharsets.UTF_8), SignaturePayload.Type.COSIGN);
    }
}
