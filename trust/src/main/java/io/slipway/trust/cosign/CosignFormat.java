package io.slipway.trust.cosign;

import io.slipway.oci.Digest;

/** The names cosign's storage format is made of. */
public final class CosignFormat {

    /** Media type of a signature layer: the simple-signing payload. */
    public static final String SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    /** Layer annotation holding the base64 signature over the layer's bytes. */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    /** artifactType of a signature written as an OCI 1.1 referrer. */
    public static final String SIGNATURE_ARTIFACT_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    /** The suffix of the signature tag, {@code sha256-<hex>.sig}. */
    public static final String SIGNATURE_TAG_SUFFIX = ".sig";

    private CosignFormat() {
    }

    /** The tag the signatures of {@code imageDigest} are stored at, in the image's repository. */
    public static String signatureTag(Digest imageDigest) {
        return imageDigest.tagForm() + SIGNATURE_TAG_SUFFIX;
    }
}
