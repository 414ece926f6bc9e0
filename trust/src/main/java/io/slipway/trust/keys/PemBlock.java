package io.slipway.trust.keys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * One PEM block, {@code -----BEGIN TYPE-----} … {@code -----END TYPE-----}: a label and the bytes of
 * its base64 body. Decoding is strict (a body that is not base64 is an error rather than silently
 * shortened), and text outside blocks is ignored, as OpenSSL and Go do.
 */
public record PemBlock(String type, byte[] bytes) {

    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    public PemBlock {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(bytes, "bytes");
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Every block in {@code text}, in order. */
    public static List<PemBlock> parseAll(String text) {
        List<PemBlock> blocks = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        int i = 0;
        while (i < lines.length) {
            String line = lines[i].strip();
            i++;
            if (!line.startsWith(BEGIN) || !line.endsWith(DASHES) || line.length() <= BEGIN.length() + DASHES.length()) {
                continue;
            }
            String type = line.substring(BEGIN.length(), line.length() - DASHES.length());
            String endLine = END + type + DASHES;
            StringBuilder body = new StringBuilder();
            boolean ended = false;
            while (i < lines.length) {
                String l = lines[i].strip();
                i++;
                if (l.equals(endLine)) {
                    ended = true;
                    break;
                }
                if (l.contains(":")) {
                    throw new KeyFileException("PEM block " + type + " has headers, which Slipway does not read");
                }
                body.append(l);
            }
            if (!ended) {
                throw new KeyFileException("PEM block " + type + " has no END line");
            }
            try {
                blocks.add(new PemBlock(type, Base64.getDecoder().decode(body.toString())));
            } catch (IllegalArgumentException e) {
                throw new KeyFileException("PEM block " + type + " is not valid base64");
            }
        }
        return blocks;
    }

    /** The single block in {@code text}; none or several is an error. */
    public static PemBlock parseOne(String text) {
        List<PemBlock> blocks = parseAll(text);
        if (blocks.isEmpty()) {
            throw new KeyFileException("no PEM block found");
        }
        if (blocks.size() > 1) {
            throw new KeyFileException("expected one PEM block, found " + blocks.size());
        }
        return blocks.get(0);
    }

    /** PEM text with 64-character lines, as Go's encoder and OpenSSL write it. */
    public String encode() {
        String b64 = Base64.getEncoder().encodeToString(bytes);
        StringBuilder s = new StringBuilder();
        s.append(BEGIN).append(type).append(DASHES).append('\n');
        for (int i = 0; i < b64.length(); i += 64) {
            s.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        s.append(END).append(type).append(DASHES).append('\n');
        return s.toString();
    }

    public byte[] encodeBytes() {
        return encode().getBytes(StandardCharsets.US_ASCII);
    }
}
