package io.slipway.registry.http;

import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.OciError;

/**
 * The {@code Content-Range} of an upload chunk: {@code <start>-<end>} inclusive, as the
 * distribution specification writes it (a {@code bytes } prefix is tolerated).
 */
record ContentRange(long start, long end) {

    long length() {
        return end - start + 1;
    }

    /** Null when the header is absent; a 416 when it is present but malformed. */
    static ContentRange parse(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        if (h.regionMatches(true, 0, "bytes ", 0, 6)) {
            h = h.substring(6).trim();
        }
        int slash = h.indexOf('/');
        if (slash >= 0) {
            h = h.substring(0, slash);
        }
        int dash = h.indexOf('-');
        try {
            if (dash > 0) {
                long start = Long.parseLong(h.substring(0, dash).trim());
                long end = Long.parseLong(h.substring(dash + 1).trim());
                if (start >= 0 && end >= start) {
                    return new ContentRange(start, end);
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal below
        }
        throw new OciError(ErrorCode.RANGE_INVALID, "invalid Content-Range \"" + header.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
    }
}
