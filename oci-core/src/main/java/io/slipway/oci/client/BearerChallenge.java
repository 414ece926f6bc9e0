package io.slipway.oci.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code WWW-Authenticate: Bearer realm="…",service="…",scope="…"} challenge of the Docker
 * token flow. Values are quoted strings; a scope may itself hold commas, hence the real parser.
 */
public record BearerChallenge(String realm, String service, String scope) {
    // Possessive: a greedy group of alternatives recurses once per character in java.util.regex, and
    // a registry's challenge with a realm of some thousand characters overflowed the stack.
    private static final Pattern PARAM = Pattern.compile("([A-Za-z_]+)=\"((?:[^\"\\\\]++|\\\\.)*+)\"");

    /** Parses the header, or returns null when it is not a Bearer challenge. */
    public static BearerChallenge parse(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(header.substring(7));
        while (m.find()) {
            params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2).replaceAll("\\\\(.)", "$1"));
        }
        String realm = params.get("realm");
        return realm == null ? null : new BearerChallenge(realm, params.get("service"), params.get("scope"));
    }
}
