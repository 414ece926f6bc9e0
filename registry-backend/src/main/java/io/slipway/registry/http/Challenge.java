package io.slipway.registry.http;

import io.slipway.oci.ErrorCode;
import io.slipway.registry.auth.AccessDenied;
import io.slipway.registry.distribution.OciError;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** The registry API's authentication challenge: the realm to announce and the 401 that carries it. */
final class Challenge {
    private final String fixedRealm;

    /**
     * @param fixedRealm the token endpoint's URL to announce, or null for this listener's own address
     *                   the client used
     */
    Challenge(String fixedRealm) {
        this.fixedRealm = fixedRealm;
    }

    /**
     * The token endpoint to announce: the configured one ({@code auth.realm}), else this listener's
     * own address as the connection's socket reports it. Never the request's Host header, which the
     * client chooses and could point at a host that collects credentials.
     */
    String realm(Request request) {
        if (fixedRealm != null) {
            return fixedRealm;
        }
        String address = Request.getLocalAddr(request);
        String host = address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
        String scheme = request.isSecure() ? "https" : "http";
        return scheme + "://" + host + ":" + Request.getLocalPort(request) + "/token";
    }

    /** Puts the refusal's challenge on the response and returns the UNAUTHORIZED error to write. */
    static OciError unauthorized(AccessDenied e, Response response) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, e.challenge());
        return new OciError(ErrorCode.UNAUTHORIZED, null,
                e.repository().isEmpty() ? null : List.of(Map.of(
                        "Type", e.repository().equals("catalog") ? "registry" : "repository",
                        "Name", e.repository(), "Action", e.action())), Map.of());
    }
}
