package io.slipway.trust.cosign;

import io.slipway.oci.Descriptor;
import java.io.IOException;

/**
 * Gives the bytes of a blob a manifest refers to. The registry reads its blob store, a client
 * fetches over HTTP; this library only asks.
 */
@FunctionalInterface
public interface BlobReader {
    byte[] read(Descriptor descriptor) throws IOException;
}
