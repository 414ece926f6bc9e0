package io.slipway.registry.events;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where webhooks may be sent. A target whose host resolves to a loopback, link-local, private,
 * shared (carrier NAT), unspecified or multicast address is refused — a subscription must not turn
 * the registry into a way to reach its own network — unless the administrator allows that range
 * ({@code webhooks.allowedTargets}). The check runs when a subscription is made and again for every
 * connection of every delivery, on the addresses actually connected to, so a name that later
 * resolves elsewhere (DNS rebinding) gains nothing.
 */
public final class TargetPolicy {
    private static final List<Cidr> INTERNAL = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4",
            "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "64:ff9b::/96").stream()
            .map(Cidr::parse).toList();

    private final List<Cidr> allowed;

    public TargetPolicy(List<String> allowedTargets) {
        this.allowed = allowedTargets.stream().map(Cidr::parse).toList();
    }

    /** Refuses a URL that is not http(s) with a host, or that carries credentials. */
    public URI checkUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url == null ? "" : url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the webhook url is not a URL: " + url);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("the webhook url must be http:// or https:// with a host, not \"" + url + "\"");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the webhook url must not carry credentials; the signature authenticates the registry");
        }
        return uri;
    }

    /** Every address of {@code host}, each one allowed; else the reason it is refused. */
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        InetAddress[] all = InetAddress.getAllByName(host);
        List<InetAddress> ok = new ArrayList<>();
        for (InetAddress a : all) {
            String refused = refusal(a);
            if (refused != null) {
                throw new Refused("webhook target " + host + " resolves to " + a.getHostAddress() + ", " + refused);
            }
            ok.add(a);
        }
        return ok;
    }

    /** Why {@code address} may not be sent to, or null when it may. */
    public String refusal(InetAddress address) {
        InetAddress a = unmapped(address);
        for (Cidr c : allowed) {
            if (c.contains(a)) {
                return null;
            }
        }
        for (Cidr c : INTERNAL) {
            if (c.contains(a)) {
                return "a loopback, link-local or private address; the administrator may allow its range in "
                        + "webhooks.allowedTargets";
            }
        }
        return null;
    }

    /** An IPv4-mapped IPv6 address judged as the IPv4 address it is. */
    private static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address six) {
            byte[] b = six.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    return a;
                }
            }
        }
        return a;
    }

    /** A target the policy refuses. */
    public static final class Refused extends UnknownHostException {
        public Refused(String message) {
            super(message);
        }
    }
}
