package io.slipway.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz tests of the parsers every request and every client command feeds with outside text: a
 * digest, an image reference, a manifest or index, a registry's bearer challenge. Each may refuse its input only with its own
 * exception (an {@link IllegalArgumentException} subtype that becomes a clear error); anything else
 * escaping — a NullPointerException, an index out of bounds, a stack overflow, a hang — is a bug.
 *
 * <p>{@code mvn verify} runs the committed seeds under
 * {@code src/test/resources/io/slipway/oci/OciParsersFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} and one method selected, Jazzer fuzzes it (see {@code bench/fuzz.sh}).
 */
class OciParsersFuzzTest {

    @FuzzTest
    void digest(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Digest digest;
        try {
            digest = Digest.parse(text);
        } catch (InvalidDigestException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        // What parses prints back as it was written, and hashes as the algorithm it names.
        assertThat(digest.toString()).isEqualTo(text);
        assertThat(Digest.parse(digest.tagForm().replaceFirst("-", ":"))).isEqualTo(digest);
        assertThat(digest.matches(input)).isEqualTo(Digest.of(digest.algorithm(), input).equals(digest));
    }

    @FuzzTest
    void reference(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Reference reference;
        try {
            reference = Reference.parse(text);
        } catch (InvalidNameException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        // Written back, a reference reads as itself, and its canonical name is a reference too.
        assertThat(Reference.parse(reference.toString())).isEqualTo(reference);
        assertThat(reference.sameRepository(Reference.parse(reference.canonicalName()))).isTrue();
        if (reference.tag() == null) {
            assertThat(reference.withTag("latest").tag()).isEqualTo("latest");
        }
    }

    /**
     * The input is {@code <Content-Type>\0<manifest bytes>}; without a NUL byte the whole input is the
     * manifest and no Content-Type was sent.
     */
    @FuzzTest
    void manifest(byte[] input) {
        int nul = indexOf(input, (byte) 0);
        String contentType = nul < 0 ? null : new String(input, 0, nul, StandardCharsets.UTF_8);
        byte[] content = nul < 0 ? input : java.util.Arrays.copyOfRange(input, nul + 1, input.length);
        Manifest manifest;
        try {
            manifest = Manifest.parse(content, contentType);
        } catch (InvalidManifestException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(MediaTypes.MANIFESTS).contains(manifest.mediaType());
        if (manifest.isIndex()) {
            assertThat(manifest.config()).isNull();
            assertThat(manifest.layers()).isEmpty();
        } else {
            assertThat(manifest.config()).isNotNull();
            assertThat(manifest.manifests()).isEmpty();
        }
        for (Descriptor d : manifest.requiredBlobs()) {
            assertThat(d.size()).isNotNegative();
            assertThat(d.digest()).isNotNull();
        }
        manifest.effectiveArtifactType();
    }

    /** A registry's {@code WWW-Authenticate} header, read by the clients: a challenge or null. */
    @FuzzTest
    void bearerChallenge(byte[] input) {
        String header = new String(input, StandardCharsets.UTF_8);
        io.slipway.oci.client.BearerChallenge challenge = io.slipway.oci.client.BearerChallenge.parse(header);
        if (challenge != null) {
            assertThat(challenge.realm()).isNotNull();
        }
    }

    static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
