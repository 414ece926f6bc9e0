package io.slipway.registry.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.listen.Cidr;
import io.slipway.registry.listen.ListenerSettings;
import io.slipway.registry.tls.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The registry's configuration: one YAML file, overridden by environment variables, overridden by
 * flags. Every default works on a laptop with nothing installed.
 *
 * <pre>
 * listen: 127.0.0.1:5000
 * data: ./.slipway            # blobs/ and metadata.db go here
 * auth:
 *   mode: token               # or none: an open registry
 *   anonymousPull: false      # anonymous pulls from public namespaces
 *   bootstrapAccount: default # the first account, made with the administrator
 *   tokenLifetime: 5m
 *   tokenKeyFile: /etc/slipway/token/token.key # the token signing key (default: DATA/token-signing-key.pem;
 *                             # required with metadata: {driver: postgres}, where every node must share it)
 * limits:
 *   manifestBytes: 4194304
 *   nameLength: 255
 *   uploadBytes: 68719476736
 *   chunkBytes: 0             # 0: no per-chunk limit
 *   uploadLifetime: 24h
 *   listPageSize: 10000
 *   sparseManifests: false      # accept indexes whose child manifests are absent
 *   uploadsPerPrincipal: 256    # open uploads one principal may have (0: no limit)
 *   uploadsPerRepository: 1024  # open uploads in one repository (0: no limit)
 * scan: {workers: 1, lease: 1m}  # scans at once on this node; how long a dead node's scan job stays its
 * trash: {retention: 30d}        # how long image-rm'd images can be restored
 * gc: {interval: 24h, grace: 1h} # garbage collection's schedule (0: on demand only) and grace period
 * storage: {driver: filesystem}  # or s3, and metadata: {driver: sqlite} or postgres: see StoreSettings
 * externalUrl: https://registry.example.com   # how clients reach it; its host is one of its names
 * names: [registry.internal:5000]             # further hosts images of this registry are pulled by
 * metrics: {enabled: true}  # and log:, webhooks: see ObserveSettings
 * tls: {cert: tls.crt, key: tls.key}          # and trustedProxies, admission, connections: see ListenerSettings
 * </pre>
 */
public record RegistryConfig(String host, int port, Path dataDir, AuthSettings authSettings, Limits limits,
        StoreSettings stores, ScanSettings scan, Naming naming, LifecycleSettings lifecycle,
        ListenerSettings listeners, ObserveSettings observe) {

    public static final String DEFAULT_LISTEN = "127.0.0.1:5000";

    /**
     * How callers are authenticated.
     *
     * @param mode             {@code token} (the Docker token flow, the default) or {@code none}
     *                         (an open registry for local experiments)
     * @param anonymousPull    whether callers without credentials may pull from public namespaces
     * @param bootstrapAccount the first account, created with the administrator on first start
     * @param tokenLifetime    how long a bearer token is valid
     * @param realm            the token endpoint URL to announce, e.g. {@code https://registry.example.com/token}
     *                         (null: this listener's own address, never the request's Host header)
     * @param service          the token audience ({@code service=} of the challenge)
     * @param tokenKeyFile     the PEM file of the EC P-256 key tokens are signed with (null: {@code
     *                         token-signing-key.pem} in the data folder, made on first start); nodes sharing a
     *                         PostgreSQL database must name one file they all mount (a Kubernetes Secret)
     */
    public record AuthSettings(String mode, boolean anonymousPull, String bootstrapAccount, Duration tokenLifetime,
            String realm, String service, Path tokenKeyFile) {

        public AuthSettings(String mode, boolean anonymousPull, String bootstrapAccount, Duration tokenLifetime,
                String realm, String service) {
            this(mode, anonymousPull, bootstrapAccount, tokenLifetime, realm, service, null);
        }

        public AuthSettings withTokenKeyFile(Path file) {
            return new AuthSettings(mode, anonymousPull, bootstrapAccount, tokenLifetime, realm, service, file);
        }

        public static AuthSettings defaults() {
            return new AuthSettings("token", false, "default", Duration.ofMinutes(5), null, "slipway");
        }

        public boolean open() {
            return "none".equals(mode);
        }
    }

    /**
     * How this node scans.
     *
     * @param workers scans this node runs at once
     * @param lease   how long a scan job stays a node's without a renewal: after a node dies, its
     *                jobs are taken again once this has passed
     */
    public record ScanSettings(int workers, Duration lease) {
        public ScanSettings {
            if (workers < 0 || lease == null || lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("scan.workers must be 0 or more and scan.lease positive");
            }
        }

        public static ScanSettings defaults() {
            return new ScanSettings(1, Duration.ofMinutes(1));
        }
    }

    /**
     * The names this registry goes by, beyond its listen address: where images pulled from it say
     * they come from. Admission accepts an image as this registry's only when its host is one of them.
     *
     * @param externalUrl the URL clients use to reach it (behind a proxy, say), or null
     * @param names       further {@code host[:port]} names, as image references spell them
     */
    public record Naming(String externalUrl, java.util.List<String> names) {
        public Naming {
            names = java.util.List.copyOf(names);
            if (externalUrl != null) {
                java.net.URI u = java.net.URI.create(externalUrl);
                if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                    throw new IllegalArgumentException("externalUrl must be an http(s) URL with a host, not \"" + externalUrl + "\"");
                }
            }
        }

        public static Naming defaults() {
            return new Naming(null, java.util.List.of());
        }
    }

    public static RegistryConfig defaults() {
        return new RegistryConfig("127.0.0.1", 5000, Path.of(".slipway"), AuthSettings.defaults(), Limits.defaults(),
                StoreSettings.defaults(), ScanSettings.defaults(), Naming.defaults(),
                LifecycleSettings.defaults(), ListenerSettings.defaults(),
                ObserveSettings.defaults());
    }

    /** The authentication mode, {@code token} or {@code none}. */
    public String auth() {
        return authSettings.mode();
    }

    public RegistryConfig withListen(String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen address must be HOST:PORT, not \"" + listen + "\"");
        }
        String h = listen.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen port must be a number in \"" + listen + "\"");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("listen port must be 0-65535");
        }
        return new RegistryConfig(h.isEmpty() ? "0.0.0.0" : h, p, dataDir, authSettings, limits, stores, scan, naming,
                lifecycle, listeners, observe);
    }

    public RegistryConfig withDataDir(Path dir) {
        return new RegistryConfig(host, port, dir, authSettings, limits, stores, scan, naming, lifecycle, listeners, observe);
    }

    public RegistryConfig withAuth(String mode) {
        if (!"none".equals(mode) && !"token".equals(mode)) {
            throw new IllegalArgumentException("auth mode must be token or none, not \"" + mode + "\"");
        }
        AuthSettings a = authSettings;
        return withAuthSettings(new AuthSettings(mode, a.anonymousPull(), a.bootstrapAccount(), a.tokenLifetime(),
                a.realm(), a.service(), a.tokenKeyFile()));
    }

    public RegistryConfig withAuthSettings(AuthSettings a) {
        return new RegistryConfig(host, port, dataDir, a, limits, stores, scan, naming, lifecycle, listeners, observe);
    }

    public RegistryConfig withLimits(Limits l) {
        return new RegistryConfig(host, port, dataDir, authSettings, l, stores, scan, naming, lifecycle, listeners, observe);
    }

    public RegistryConfig withStores(StoreSettings s) {
        return new RegistryConfig(host, port, dataDir, authSettings, limits, s, scan, naming, lifecycle, listeners, observe);
    }

    public RegistryConfig withLifecycle(LifecycleSettings l) {
        return new RegistryConfig(host, port, dataDir, authSettings, limits, stores, scan, naming, l, listeners, observe);
    }

    public RegistryConfig withListeners(ListenerSettings l) {
        return new RegistryConfig(host, port, dataDir, authSettings, limits, stores, scan, naming, lifecycle, l, observe);
    }

    public RegistryConfig withScan(ScanSettings s) {
        return new RegistryConfig(host, port, dataDir, authSettings, limits, stores, s, naming, lifecycle, listeners, observe);
    }

    public RegistryConfig withNaming(Naming n) {
        return new RegistryConfig(host, port, dataDir, authSettings, limits, stores, scan, n, lifecycle, listeners, observe);
    }

    public RegistryConfig withObserve(ObserveSettings o) {
        return new RegistryConfig(host, port, dataDir, authSettings, limits, stores, scan, naming, lifecycle, listeners, o);
    }

    /** Applies {@code SLIPWAY_LISTEN} and {@code SLIPWAY_DATA} when set. */
    public RegistryConfig withEnvironment(Map<String, String> env) {
        RegistryConfig c = this;
        if (env.get("SLIPWAY_LISTEN") != null) {
            c = c.withListen(env.get("SLIPWAY_LISTEN"));
        }
        if (env.get("SLIPWAY_DATA") != null) {
            c = c.withDataDir(Path.of(env.get("SLIPWAY_DATA")));
        }
        return c;
    }

    /** Reads a YAML configuration file over the defaults; unknown keys are an error, not a silent typo. */
    public static RegistryConfig load(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        RegistryConfig c = defaults();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return c;
        }
        if (!root.isObject()) {
            throw new IOException(file + ": the configuration must be a mapping");
        }
        checkKeys(file, "", root, Set.of("listen", "data", "auth", "limits", "storage", "metadata", "scan", "externalUrl",
                "names", "trash", "gc", "tls", "trustedProxies", "admission", "connections", "metrics", "log", "webhooks"));
        if (root.has("metrics") || root.has("log") || root.has("webhooks")) {
            c = c.withObserve(ObserveSettings.parse(file, root.get("metrics"), root.get("log"), root.get("webhooks"),
                    c.observe()));
        }
        if (root.hasNonNull("externalUrl") || root.hasNonNull("names")) {
            java.util.List<String> names = new java.util.ArrayList<>();
            JsonNode n = root.get("names");
            if (n != null && !n.isNull()) {
                if (!n.isArray()) {
                    throw new IOException(file + ": names must be a list of host[:port]");
                }
                n.forEach(x -> names.add(x.asText()));
            }
            try {
                c = c.withNaming(new Naming(root.hasNonNull("externalUrl") ? root.get("externalUrl").asText() : null, names));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage());
            }
        }
        if (root.hasNonNull("listen")) {
            c = c.withListen(root.get("listen").asText());
        }
        if (root.hasNonNull("data")) {
            Path data = Path.of(root.get("data").asText());
            c = c.withDataDir(data.isAbsolute() ? data : file.toAbsolutePath().getParent().resolve(data));
        }
        JsonNode auth = root.get("auth");
        if (auth != null && auth.isTextual()) {
            c = c.withAuth(auth.asText());
        } else if (auth != null && auth.isObject()) {
            checkKeys(file, "auth.", auth, Set.of("mode", "anonymousPull", "bootstrapAccount", "tokenLifetime",
                    "realm", "service", "tokenKeyFile"));
            AuthSettings d = c.authSettings();
            c = c.withAuthSettings(new AuthSettings(d.mode(), auth.path("anonymousPull").asBoolean(d.anonymousPull()),
                    auth.path("bootstrapAccount").asText(d.bootstrapAccount()),
                    auth.hasNonNull("tokenLifetime") ? duration(auth.get("tokenLifetime").asText()) : d.tokenLifetime(),
                    auth.hasNonNull("realm") ? auth.get("realm").asText() : d.realm(),
                    auth.path("service").asText(d.service()),
                    auth.hasNonNull("tokenKeyFile") ? file.toAbsolutePath().getParent().resolve(auth.get("tokenKeyFile").asText())
                            : d.tokenKeyFile()));
            if (auth.hasNonNull("mode")) {
                c = c.withAuth(auth.get("mode").asText());
            }
        }
        if (root.has("storage") || root.has("metadata")) {
            c = c.withStores(StoreSettings.parse(file, root.get("storage"), root.get("metadata"), System.getenv()));
        }
        JsonNode scan = root.get("scan");
        if (scan != null && scan.isObject()) {
            checkKeys(file, "scan.", scan, Set.of("workers", "lease"));
            ScanSettings d = c.scan();
            c = c.withScan(new ScanSettings(scan.path("workers").asInt(d.workers()),
                    scan.hasNonNull("lease") ? duration(scan.get("lease").asText()) : d.lease()));
        }
        JsonNode trash = root.get("trash");
        JsonNode gc = root.get("gc");
        if (trash != null && trash.isObject() || gc != null && gc.isObject()) {
            LifecycleSettings d = c.lifecycle();
            if (trash != null) {
                checkKeys(file, "trash.", trash, Set.of("retention"));
            }
            if (gc != null) {
                checkKeys(file, "gc.", gc, Set.of("interval", "grace"));
            }
            try {
                c = c.withLifecycle(new LifecycleSettings(
                        trash != null && trash.hasNonNull("retention") ? duration(trash.get("retention").asText())
                                : d.trashRetention(),
                        gc != null && gc.hasNonNull("interval") ? duration(gc.get("interval").asText()) : d.gcInterval(),
                        gc != null && gc.hasNonNull("grace") ? duration(gc.get("grace").asText()) : d.gcGrace()));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage());
            }
        }
        JsonNode l = root.get("limits");
        if (l != null && l.isObject()) {
            checkKeys(file, "limits.", l, Set.of("manifestBytes", "nameLength", "uploadBytes", "chunkBytes",
                    "uploadLifetime", "listPageSize", "sparseManifests", "uploadsPerPrincipal", "uploadsPerRepository"));
            Limits d = c.limits();
            c = c.withLimits(new Limits(
                    l.path("manifestBytes").asInt(d.manifestBytes()),
                    l.path("nameLength").asInt(d.nameLength()),
                    l.path("uploadBytes").asLong(d.uploadBytes()),
                    l.path("chunkBytes").asLong(d.chunkBytes()),
                    l.hasNonNull("uploadLifetime") ? duration(l.get("uploadLifetime").asText()) : d.uploadLifetime(),
                    l.path("listPageSize").asInt(d.listPageSize()),
                    l.path("sparseManifests").asBoolean(d.sparseManifests()),
                    l.path("uploadsPerPrincipal").asInt(d.uploadsPerPrincipal()),
                    l.path("uploadsPerRepository").asInt(d.uploadsPerRepository())));
        }
        return c.withListeners(listeners(file, root, c.listeners()));
    }

    /** {@code tls}, {@code trustedProxies}, {@code admission} and {@code connections}; paths relative to the file. */
    private static ListenerSettings listeners(Path file, JsonNode root, ListenerSettings d) throws IOException {
        ListenerSettings l = d;
        try {
            if (root.hasNonNull("tls")) {
                l = l.withTls(tls(file, "tls.", root.get("tls"), null));
            }
            JsonNode proxies = root.get("trustedProxies");
            if (proxies != null && !proxies.isNull()) {
                if (!proxies.isArray()) {
                    throw new IOException(file + ": trustedProxies must be a list of address blocks (10.0.0.0/8)");
                }
                java.util.List<Cidr> cidrs = new java.util.ArrayList<>();
                for (JsonNode p : proxies) {
                    cidrs.add(Cidr.parse(p.asText()));
                }
                l = l.withTrustedProxies(cidrs);
            }
            JsonNode a = root.get("admission");
            if (a != null && !a.isNull()) {
                if (!a.isObject()) {
                    throw new IOException(file + ": admission must be a mapping {listen, tls, clientCA}");
                }
                checkKeys(file, "admission.", a, Set.of("listen", "tls", "clientCA"));
                if (!a.hasNonNull("listen") || !a.hasNonNull("tls")) {
                    throw new IOException(file + ": admission needs listen (HOST:PORT) and tls: {cert, key}");
                }
                RegistryConfig at = defaults().withListen(a.get("listen").asText());
                l = l.withAdmission(new ListenerSettings.Admission(at.host(), at.port(),
                        tls(file, "admission.tls.", a.get("tls"), a.hasNonNull("clientCA") ? a.get("clientCA").asText() : null)));
            }
            JsonNode c = root.get("connections");
            if (c != null && c.isObject()) {
                checkKeys(file, "connections.", c, Set.of("idleTimeout", "headerTimeout", "minDataRate", "tokenBodyBytes",
                        "apiBodyBytes", "admissionBodyBytes", "consoleBodyBytes"));
                ListenerSettings.Connections k = l.connections();
                l = l.withConnections(new ListenerSettings.Connections(
                        c.hasNonNull("idleTimeout") ? duration(c.get("idleTimeout").asText()) : k.idleTimeout(),
                        c.hasNonNull("headerTimeout") ? duration(c.get("headerTimeout").asText()) : k.headerTimeout(),
                        c.path("minDataRate").asLong(k.minDataRate()),
                        c.path("tokenBodyBytes").asLong(k.tokenBodyBytes()),
                        c.path("apiBodyBytes").asLong(k.apiBodyBytes()),
                        c.path("admissionBodyBytes").asLong(k.admissionBodyBytes()),
                        c.path("consoleBodyBytes").asLong(k.consoleBodyBytes())));
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        return l;
    }

    private static TlsFiles tls(Path file, String prefix, JsonNode t, String clientCA) throws IOException {
        if (!t.isObject()) {
            throw new IOException(file + ": " + prefix.substring(0, prefix.length() - 1) + " must be a mapping {cert, key}");
        }
        checkKeys(file, prefix, t, Set.of("cert", "key"));
        if (!t.hasNonNull("cert") || !t.hasNonNull("key")) {
            throw new IOException(file + ": " + prefix + "cert and " + prefix + "key are both needed (PEM files)");
        }
        Path base = file.toAbsolutePath().getParent();
        return new TlsFiles(base.resolve(t.get("cert").asText()), base.resolve(t.get("key").asText()),
                clientCA == null ? null : base.resolve(clientCA));
    }

    private static void checkKeys(Path file, String prefix, JsonNode node, Set<String> known) throws IOException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new IOException(file + ": unknown setting " + prefix + key);
            }
        }
    }

    /** {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}, or an ISO-8601 duration. */
    public static Duration duration(String text) {
        String t = text.trim();
        if (t.startsWith("P") || t.startsWith("p")) {
            return Duration.parse(t);
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("duration must end in s, m, h or d: " + text);
        };
    }
}
