package io.slipway.oci;

import java.util.List;
import java.util.Map;

/** An OCI content descriptor: what a manifest says about a blob or a child manifest. */
public record Descriptor(
        String mediaType,
        Digest digest,
        long size,
        String artifactType,
        Map<String, String> annotations,
        List<String> urls,
        Platform platform) {

    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null, null);
    }

    /** The platform an index entry is for. */
    public record Platform(String os, String architecture, String variant) {
    }
}
