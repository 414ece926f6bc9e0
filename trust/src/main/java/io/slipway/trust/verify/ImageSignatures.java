package io.slipway.trust.verify;

import io.slipway.trust.cosign.CosignSignature;
import java.util.List;

/**
 * Every signature stored for one image, in both formats, as the caller found them: cosign
 * signatures from the {@code .sig} tag or referrers, simple-signing blobs from the signature
 * extension API. None is trusted yet.
 */
public record ImageSignatures(List<CosignSignature> cosign, List<byte[]> simpleSigning) {

    public ImageSignatures {
        cosign = List.copyOf(cosign);
        simpleSigning = simpleSigning.stream().map(byte[]::clone).toList();
    }

    public static ImageSignatures none() {
        return new ImageSignatures(List.of(), List.of());
    }

    public boolean isEmpty() {
        return cosign.isEmpty() && simpleSigning.isEmpty();
    }

    public int count() {
        return cosign.size() + simpleSigning.size();
    }
}
