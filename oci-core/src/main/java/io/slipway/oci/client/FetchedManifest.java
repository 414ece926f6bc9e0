package io.slipway.oci.client;

import io.slipway.oci.Digest;

/** A manifest as the registry served it: exact bytes, its media type and its digest. */
public record FetchedManifest(byte[] bytes, String mediaType, Digest digest) {
}
