package io.slipway.registry.listen;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Jetty's {@link ForwardedRequestCustomizer} (RFC 7239 {@code Forwarded}, {@code X-Forwarded-Proto},
 * {@code -Host}, {@code -Port}, {@code -For}), applied only when the connection's peer is one of the
 * configured proxies: anyone else could name any host, and the realm and upload locations are built
 * from the result. A request it applied to carries {@link #FORWARDED} so the handlers know the
 * URI's scheme and authority are the public ones.
 */
public final class TrustedProxies implements HttpConfiguration.Customizer {
    /** Request attribute: present when the request came through a trusted proxy. */
    public static final String FORWARDED = "io.slipway.forwarded";

    private final List<Cidr> proxies;
    private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();

    public TrustedProxies(List<Cidr> proxies) {
        this.proxies = List.copyOf(proxies);
    }

    public static boolean forwarded(Request request) {
        return request.getAttribute(FORWARDED) != null;
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        if (!trusted(request.getConnectionMetaData().getRemoteSocketAddress())) {
            return request;
        }
        HttpFields h = request.getHeaders();
        boolean hasForwarding = h.contains("Forwarded") || h.contains("X-Forwarded-Proto") || h.contains("X-Forwarded-Host")
                || h.contains("X-Forwarded-Port") || h.contains("X-Forwarded-For");
        Request r = forwarded.customize(request, responseHeaders);
        if (hasForwarding) {
            r.setAttribute(FORWARDED, Boolean.TRUE);
        }
        return r;
    }

    private boolean trusted(SocketAddress peer) {
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return false;
        }
        for (Cidr c : proxies) {
            if (c.contains(inet.getAddress())) {
                return true;
            }
        }
        return false;
    }
}
