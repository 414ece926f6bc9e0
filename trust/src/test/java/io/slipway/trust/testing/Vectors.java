package io.slipway.trust.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The signature test vectors made by real signers (skopeo with sigstore, skopeo with GnuPG). */
public final class Vectors {

    /** The digest of image-manifest.json, as the vectors' README gives it. */
    public static final String IMAGE_DIGEST = "sha256:06ccbe521fe15357343d8400aab0997585041ec6e0a5121f2b65e6bf81538f1b";
    /** The reference both vectors were signed for. */
    public static final String IMAGE_REFERENCE = "127.0.0.1:5090/vectors/app:v1";

    private Vectors() {
    }

    public static byte[] bytes(String path) {
        try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + path)) {
            if (in == null) {
                throw new IllegalStateException("missing test vector " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }
}
