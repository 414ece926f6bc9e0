package io.slipway.registry.http;

import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.OciError;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Content-Range} of an upload chunk: {@code <start>-<end>} inclusive, as the
 * distribution specification writes it ({@code ^[0-9]+-[0-9]+$}). The RFC 9110 form
 * {@code bytes <start>-<end>/<total or *>} that some clients send is accepted too, its total
 * agreeing with the end when given. Anything else that is present — empty, signs, spaces, a range
 * ending before it starts — is a 416, never read as "no range".
 */
record ContentRange(long start, long end) {
    private static final Pattern SPEC = Pattern.compile("([0-9]{1,18})-([0-9]{1,18})");
    private static final Pattern RFC = Pattern.compile("bytes ([0-9]{1,18})-([0-9]{1,18})/([0-9]{1,18}|\\*)");

    long length() {
        return end - start + 1;
    }

    /** Null when the header is absent; a 416 when it is present but malformed. */
    static ContentRange parse(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = SPEC.matcher(header);
        if (!m.matches()) {
            m = RFC.matcher(header);
            if (!m.matches()) {
                throw invalid(header);
            }
        }
        long start = Long.parseLong(m.group(1));
        long end = Long.parseLong(m.group(2));
        if (end < start) {
            throw invalid(header);
        }
        if (m.groupCount() == 3 && !"*".equals(m.group(3)) && Long.parseLong(m.group(3)) != end + 1) {
            throw invalid(header);
        }
        return new ContentRange(start, end);
    }

    private static OciError invalid(String header) {
        String shown = header.length() > 64 ? header.substring(0, 64) + "…" : header;
        return new OciError(ErrorCode.RANGE_INVALID, "invalid Content-Range \"" + shown.replaceAll("[^\\x20-\\x7e]", "?")
                + "\": expected START-END, inclusive byte offsets");
    }
}
