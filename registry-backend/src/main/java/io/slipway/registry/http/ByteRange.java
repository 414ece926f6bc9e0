package io.slipway.registry.http;

/** One satisfiable range of an HTTP {@code Range: bytes=…} header (RFC 9110 §14.1.2). */
record ByteRange(long start, long length) {

    /**
     * Parses {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n} against a blob of {@code size}
     * bytes; null when the range cannot be satisfied or is not a single byte range.
     */
    static ByteRange parse(String header, long size) {
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = h.substring(6).trim();
        if (spec.contains(",")) {
            return null; // multipart ranges are not served
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String first = spec.substring(0, dash).trim();
            String last = spec.substring(dash + 1).trim();
            if (first.isEmpty()) {
                long suffix = Long.parseLong(last);
                if (suffix <= 0 || size == 0) {
                    return null;
                }
                long n = Math.min(suffix, size);
                return new ByteRange(size - n, n);
            }
            long start = Long.parseLong(first);
            long end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
            if (start < 0 || start >= size || end < start) {
                return null;
            }
            return new ByteRange(start, end - start + 1);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
