package io.slipway.oci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A content digest, {@code <algorithm>:<hex>}. Only the algorithms the OCI image specification
 * registers are accepted (sha256 and sha512), with lowercase hex of exactly the right length, so a
 * parsed digest is always safe to use as a file name or a SQL key.
 */
public record Digest(Algorithm algorithm, String hex) implements Comparable<Digest> {

    /** The registered digest algorithms, with their Java names and hex lengths. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64),
        SHA512("sha512", "SHA-512", 128);

        private final String prefix;
        private final String javaName;
        private final int hexLength;

        Algorithm(String prefix, String javaName, int hexLength) {
            this.prefix = prefix;
            this.javaName = javaName;
            this.hexLength = hexLength;
        }

        public String prefix() {
            return prefix;
        }

        public int hexLength() {
            return hexLength;
        }

        public MessageDigest newMessageDigest() {
            try {
                return MessageDigest.getInstance(javaName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + javaName, e);
            }
        }

        static Algorithm byPrefix(String prefix) {
            for (Algorithm a : values()) {
                if (a.prefix.equals(prefix)) {
                    return a;
                }
            }
            return null;
        }
    }

    public Digest {
        if (algorithm == null || hex == null || !isLowerHex(hex, algorithm.hexLength)) {
            throw new InvalidDigestException("invalid " + (algorithm == null ? "" : algorithm.prefix + " ") + "digest");
        }
    }

    /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}; anything else throws. */
    public static Digest parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidDigestException("digest is missing");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new InvalidDigestException("invalid digest " + quoteShort(text) + ": expected <algorithm>:<hex>");
        }
        Algorithm algorithm = Algorithm.byPrefix(text.substring(0, colon));
        if (algorithm == null) {
            throw new InvalidDigestException("unsupported digest algorithm " + quoteShort(text.substring(0, colon)));
        }
        String hex = text.substring(colon + 1);
        if (!isLowerHex(hex, algorithm.hexLength)) {
            throw new InvalidDigestException("invalid " + algorithm.prefix + " digest " + quoteShort(text));
        }
        return new Digest(algorithm, hex);
    }

    /** True when {@code text} looks like a digest ({@code alg:...}) rather than a tag. */
    public static boolean looksLikeDigest(String text) {
        return text != null && text.indexOf(':') > 0;
    }

    public static Digest sha256(byte[] content) {
        return of(Algorithm.SHA256, content);
    }

    public static Digest sha256(String content) {
        return sha256(content.getBytes(StandardCharsets.UTF_8));
    }

    public static Digest of(Algorithm algorithm, byte[] content) {
        return fromHash(algorithm, algorithm.newMessageDigest().digest(content));
    }

    public static Digest fromHash(Algorithm algorithm, byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** True when {@code content} hashes to this digest. */
    public boolean matches(byte[] content) {
        return MessageDigest.isEqual(
                algorithm.newMessageDigest().digest(content), HexFormat.of().parseHex(hex));
    }

    /** The cosign-style tag form, {@code sha256-<hex>}. */
    public String tagForm() {
        return algorithm.prefix + "-" + hex;
    }

    @Override
    public String toString() {
        return algorithm.prefix + ":" + hex;
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }

    private static boolean isLowerHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String quoteShort(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "\"" + shown.toLowerCase(Locale.ROOT).replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }
}
