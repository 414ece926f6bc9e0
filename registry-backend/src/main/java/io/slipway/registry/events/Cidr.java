package io.slipway.registry.events;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range, {@code 127.0.0.0/8} or {@code fd00::/8}: what an administrator allows webhooks to reach. */
public record Cidr(byte[] network, int prefix) {

    /** Parses {@code ADDRESS/BITS} (a literal address, never a name to resolve); a bad range is refused, naming it. */
    public static Cidr parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR range (ADDRESS/BITS): \"" + text + "\"");
        }
        String address = text.substring(0, slash);
        if (!address.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not a CIDR range (the address must be literal): \"" + text + "\"");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a CIDR range: \"" + text + "\"");
        }
        int bits;
        try {
            bits = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR range (bits must be a number): \"" + text + "\"");
        }
        if (bits < 0 || bits > bytes.length * 8) {
            throw new IllegalArgumentException("not a CIDR range (0-" + bytes.length * 8 + " bits): \"" + text + "\"");
        }
        return new Cidr(bytes, bits);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }
}
