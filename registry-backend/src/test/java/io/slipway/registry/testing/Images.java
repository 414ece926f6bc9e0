package io.slipway.registry.testing;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;

/** Small manifests for tests, written as JSON by hand so that every byte is under the test's control. */
public final class Images {
    private Images() {
    }

    public static String descriptor(String mediaType, Digest digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    public static String imageManifest(Digest config, long configSize, Digest layer, long layerSize) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":" + descriptor(MediaTypes.OCI_CONFIG, config, configSize) + ","
                + "\"layers\":[" + descriptor(MediaTypes.OCI_LAYER_TAR_GZIP, layer, layerSize) + "]}";
    }

    public static String config(String created) {
        return "{\"created\":\"" + created + "\",\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{}}";
    }
}
