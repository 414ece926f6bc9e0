package io.slipway.registry.clients;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of the ustar format to make image layers from bytes and to read back the regular
 * files of an archive a client wrote. Output is deterministic: fixed owner, mtime and order.
 */
final class Tar {
    private static final int BLOCK = 512;

    private Tar() {
    }

    /** One entry to write: a directory when {@code content} is null. */
    record Entry(String name, int mode, byte[] content) {
        static Entry directory(String name, int mode) {
            return new Entry(name.endsWith("/") ? name : name + "/", mode, null);
        }

        static Entry file(String name, int mode, byte[] content) {
            return new Entry(name, mode, content);
        }
    }

    static byte[] write(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] content = e.content() == null ? new byte[0] : e.content();
            out.writeBytes(header(e.name(), e.mode(), content.length, e.content() == null ? '5' : '0'));
            out.writeBytes(content);
            out.writeBytes(new byte[pad(content.length)]);
        }
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    private static byte[] header(String name, int mode, long size, char type) {
        byte[] h = new byte[BLOCK];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            throw new IllegalArgumentException("name too long for this writer: " + name);
        }
        System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        ascii(h, 257, "ustar\0");
        ascii(h, 263, "00");
        ascii(h, 265, "root");
        ascii(h, 297, "root");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String checksum = String.format("%06o", sum);
        ascii(h, 148, checksum);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = String.format("%0" + (length - 1) + "o", value);
        ascii(h, offset, digits);
        h[offset + length - 1] = 0;
    }

    private static void ascii(byte[] h, int offset, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, offset, b.length);
    }

    private static int pad(long size) {
        int rest = (int) (size % BLOCK);
        return rest == 0 ? 0 : BLOCK - rest;
    }

    /** The regular files of an archive by name (PAX {@code path} records honoured). */
    static Map<String, byte[]> readFiles(InputStream in) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        String paxPath = null;
        while (true) {
            byte[] h = in.readNBytes(BLOCK);
            if (h.length < BLOCK || isZero(h)) {
                return files;
            }
            String name = cString(h, 0, 100);
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            long size = Long.parseLong(cString(h, 124, 12).trim().isEmpty() ? "0" : cString(h, 124, 12).trim(), 8);
            char type = (char) h[156];
            byte[] content = in.readNBytes((int) size);
            in.readNBytes(pad(size));
            if (type == 'x') {
                paxPath = paxValue(new String(content, StandardCharsets.UTF_8), "path");
                continue;
            }
            if (type == 'g') {
                continue;
            }
            if (paxPath != null) {
                name = paxPath;
                paxPath = null;
            }
            if (type == '0' || type == 0) {
                files.put(name.startsWith("./") ? name.substring(2) : name, content);
            }
        }
    }

    private static String paxValue(String records, String key) {
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            int eq = line.indexOf('=');
            if (space > 0 && eq > space && line.substring(space + 1, eq).equals(key)) {
                return line.substring(eq + 1);
            }
        }
        return null;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }
}
