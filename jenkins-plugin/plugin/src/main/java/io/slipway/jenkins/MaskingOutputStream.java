package io.slipway.jenkins;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes {@code ****} where a secret would appear. Works on whole lines, so a secret written in
 * pieces is still caught; a line longer than {@link #MAX_LINE} is let out in parts, keeping back
 * enough bytes that a secret cannot straddle two parts.
 */
final class MaskingOutputStream extends FilterOutputStream {
    static final int MAX_LINE = 64 * 1024;
    private static final byte[] MASK = "****".getBytes(StandardCharsets.US_ASCII);

    private final List<byte[]> secrets = new ArrayList<>();
    private final int longest;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    MaskingOutputStream(OutputStream out, List<String> secrets) {
        super(out);
        for (String s : secrets) {
            if (s != null && !s.isEmpty()) {
                this.secrets.add(s.getBytes(StandardCharsets.UTF_8));
            }
        }
        // the longest first, so a secret that contains another is masked whole
        this.secrets.sort(Comparator.comparingInt((byte[] b) -> b.length).reversed());
        this.longest = this.secrets.isEmpty() ? 0 : this.secrets.get(0).length;
    }

    @Override
    public void write(int b) throws IOException {
        line.write(b);
        if (b == '\n') {
            emit(line.size());
        } else if (line.size() >= MAX_LINE) {
            emit(line.size() - Math.max(0, longest - 1));
        }
    }

    /** In runs up to each line end, not byte by byte: build logs can be large. */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int from = off;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n' || line.size() + (i - from) + 1 >= MAX_LINE) {
                line.write(b, from, i - from);
                write(b[i]);
                from = i + 1;
            }
        }
        line.write(b, from, end - from);
    }

    /** Complete lines only; a partial line waits for its end, or for close. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        emit(line.size());
        super.close();
    }

    /** Masks the buffered bytes and writes the first {@code count} of them. */
    private void emit(int count) throws IOException {
        byte[] buffered = line.toByteArray();
        line.reset();
        byte[] masked = mask(buffered, 0, count);
        out.write(masked);
        line.write(buffered, count, buffered.length - count);
    }

    private byte[] mask(byte[] b, int from, int to) {
        ByteArrayOutputStream result = new ByteArrayOutputStream(to - from);
        int i = from;
        scan:
        while (i < to) {
            for (byte[] s : secrets) {
                if (startsWith(b, i, to, s)) {
                    result.write(MASK, 0, MASK.length);
                    i += s.length;
                    continue scan;
                }
            }
            result.write(b[i++]);
        }
        return result.toByteArray();
    }

    private static boolean startsWith(byte[] b, int at, int end, byte[] s) {
        if (end - at < s.length) {
            return false;
        }
        for (int k = 0; k < s.length; k++) {
            if (b[at + k] != s[k]) {
                return false;
            }
        }
        return true;
    }
}
