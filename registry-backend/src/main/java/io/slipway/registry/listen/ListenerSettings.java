package io.slipway.registry.listen;

import io.slipway.registry.tls.TlsFiles;
import java.time.Duration;
import java.util.List;

/**
 * How the registry meets the network: TLS on the registry listener, the proxies whose forwarding
 * headers count, the admission webhook's own listener, and what a connection may cost.
 *
 * <pre>
 * tls: {cert: tls.crt, key: tls.key}          # HTTPS (TLS 1.2/1.3, HTTP/2 and HTTP/1.1); reloaded on change
 * trustedProxies: [10.0.0.0/8]                # X-Forwarded-* and Forwarded count only from these peers
 * admission: {listen: 0.0.0.0:8443, tls: {cert: a.crt, key: a.key}, clientCA: apiserver-ca.crt}
 * connections: {idleTimeout: 60s, headerTimeout: 20s, minDataRate: 1024,
 *               tokenBodyBytes: 65536, apiBodyBytes: 1048576, admissionBodyBytes: 3145728,
 *               consoleBodyBytes: 65536}
 * </pre>
 *
 * @param tls            the registry listener's certificate and key, or null for plain HTTP
 * @param trustedProxies CIDRs of the proxies in front; empty: forwarding headers are ignored
 * @param admission      the admission webhook's listener, or null: no webhook served
 * @param connections    timeouts, rates and body limits
 */
public record ListenerSettings(TlsFiles tls, List<Cidr> trustedProxies, Admission admission, Connections connections) {
    public ListenerSettings {
        trustedProxies = List.copyOf(trustedProxies);
    }

    public static ListenerSettings defaults() {
        return new ListenerSettings(null, List.of(), null, Connections.defaults());
    }

    public ListenerSettings withTls(TlsFiles t) {
        return new ListenerSettings(t, trustedProxies, admission, connections);
    }

    public ListenerSettings withTrustedProxies(List<Cidr> p) {
        return new ListenerSettings(tls, p, admission, connections);
    }

    public ListenerSettings withAdmission(Admission a) {
        return new ListenerSettings(tls, trustedProxies, a, connections);
    }

    public ListenerSettings withConnections(Connections c) {
        return new ListenerSettings(tls, trustedProxies, admission, c);
    }

    /**
     * The admission webhook's listener: always TLS (the Kubernetes API server calls webhooks over
     * HTTPS only); {@code tls.clientCA()} set: the API server must present a certificate it signed.
     */
    public record Admission(String host, int port, TlsFiles tls) {
        public Admission {
            if (tls == null) {
                throw new IllegalArgumentException("admission needs tls: {cert, key}: the API server calls webhooks over HTTPS only");
            }
        }
    }

    /**
     * What one connection may cost. A connection that sends nothing for {@code idleTimeout}, takes
     * longer than {@code headerTimeout} for a request's line and headers, or sends a body slower than
     * {@code minDataRate} bytes a second is closed; bodies above the route's limit are refused (413).
     */
    public record Connections(Duration idleTimeout, Duration headerTimeout, long minDataRate, long tokenBodyBytes,
            long apiBodyBytes, long admissionBodyBytes, long consoleBodyBytes) {
        /** The console's forms are small (an image policy document is the largest): 64 KiB. */
        public static final long CONSOLE_BODY_BYTES = 64 * 1024;

        public Connections {
            if (idleTimeout.isNegative() || idleTimeout.isZero() || headerTimeout.isNegative() || headerTimeout.isZero()
                    || minDataRate < 0 || tokenBodyBytes <= 0 || apiBodyBytes <= 0 || admissionBodyBytes <= 0
                    || consoleBodyBytes <= 0) {
                throw new IllegalArgumentException("connections: timeouts and body limits must be positive, minDataRate 0 or more");
            }
        }

        /** With the console's default body limit. */
        public Connections(Duration idleTimeout, Duration headerTimeout, long minDataRate, long tokenBodyBytes,
                long apiBodyBytes, long admissionBodyBytes) {
            this(idleTimeout, headerTimeout, minDataRate, tokenBodyBytes, apiBodyBytes, admissionBodyBytes,
                    CONSOLE_BODY_BYTES);
        }

        public static Connections defaults() {
            return new Connections(Duration.ofSeconds(60), Duration.ofSeconds(20), 1024, 64 * 1024, 1024 * 1024,
                    3 * 1024 * 1024, CONSOLE_BODY_BYTES);
        }
    }
}
