package io.slipway.trust.policy;

import io.slipway.trust.Image;
import io.slipway.trust.verify.ImageSignatures;
import java.io.IOException;

/** Finds the stored signatures of an image (the registry reads its store; a client fetches). */
@FunctionalInterface
public interface SignatureSource {
    ImageSignatures signaturesOf(Image image) throws IOException;
}
