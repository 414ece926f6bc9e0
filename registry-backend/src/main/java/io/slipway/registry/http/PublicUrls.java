package io.slipway.registry.http;

import io.slipway.registry.listen.TrustedProxies;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;

/**
 * The URLs the registry hands clients (the token realm, upload and content {@code Location}s) as
 * the client sees them: behind a trusted proxy, the scheme and host its forwarding headers name;
 * otherwise a path relative to whatever the client asked (and the realm from the socket, see
 * {@link Challenge}).
 */
final class PublicUrls {
    private PublicUrls() {
    }

    /** {@code https://registry.example.com} from a trusted proxy's headers, or null. */
    static String forwardedBase(Request request) {
        if (!TrustedProxies.forwarded(request)) {
            return null;
        }
        HttpURI uri = request.getHttpURI();
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    /** A {@code Location} for {@code path}: absolute from the public base behind a trusted proxy, else the path. */
    static String location(Request request, String path) {
        String base = path.startsWith("/") ? forwardedBase(request) : null;
        return base == null ? path : base + path;
    }
}
