package io.slipway.registry.listen;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block, {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a block of one. */
public record Cidr(byte[] network, int bits) {

    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (!addr.matches("[0-9A-Fa-f.:]+")) {
            // Literal addresses only: a name would be looked up in DNS, and a proxy list must not depend on it.
            throw new IllegalArgumentException("not an address block: \"" + text + "\"");
        }
        byte[] a;
        try {
            a = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address block: \"" + text + "\"");
        }
        int bits;
        try {
            bits = slash < 0 ? a.length * 8 : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an address block: \"" + text + "\"");
        }
        if (bits < 0 || bits > a.length * 8) {
            throw new IllegalArgumentException("prefix length out of range in \"" + text + "\"");
        }
        return new Cidr(a, bits);
    }

    public boolean contains(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != network.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            return "?/" + bits;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.bits == bits && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + bits;
    }
}
