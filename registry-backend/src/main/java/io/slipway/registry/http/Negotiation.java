package io.slipway.registry.http;

import io.slipway.oci.MediaTypes;
import java.util.List;

/** Manifest content negotiation: does the request's {@code Accept} allow the stored media type? */
final class Negotiation {
    private Negotiation() {
    }

    /**
     * True when no Accept header was sent, when one accepts anything, or when one names the media
     * type. Stored manifests are served as they were pushed; the registry never converts them.
     */
    static boolean accepts(List<String> acceptHeaders, String mediaType) {
        if (acceptHeaders == null || acceptHeaders.isEmpty()) {
            return true;
        }
        boolean any = false;
        for (String header : acceptHeaders) {
            for (String part : header.split(",")) {
                String type = MediaTypes.strip(part);
                if (type.isEmpty()) {
                    continue;
                }
                any = true;
                if (type.equals("*/*") || type.equals("application/*") || type.equalsIgnoreCase(mediaType)) {
                    return true;
                }
            }
        }
        return !any;
    }
}
