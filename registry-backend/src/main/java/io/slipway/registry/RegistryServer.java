package io.slipway.registry;

import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.distribution.BlobService;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.UploadService;
import io.slipway.registry.http.DistributionHandler;
import io.slipway.registry.listen.ListenerSettings;
import io.slipway.registry.listen.Listeners;
import io.slipway.registry.api.ManagementApi;
import io.slipway.registry.auth.AccessGate;
import io.slipway.registry.auth.Revocations;
import io.slipway.registry.auth.Authenticator;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.auth.TokenGate;
import io.slipway.registry.auth.TokenKey;
import io.slipway.registry.auth.TokenService;
import io.slipway.registry.http.ManagementHandler;
import io.slipway.registry.lifecycle.Lifecycle;
import io.slipway.registry.http.NotFoundHandler;
import io.slipway.registry.http.TokenHandler;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.scan.AdvisorySync;
import io.slipway.registry.scan.ScanJobs;
import io.slipway.registry.scan.ScanService;
import io.slipway.registry.scan.Exemptions;
import io.slipway.registry.config.RegistryNames;
import io.slipway.registry.enforcement.Admission;
import io.slipway.registry.enforcement.ImagePinning;
import io.slipway.registry.enforcement.EnforcementService;
import io.slipway.registry.enforcement.PolicyStore;
import io.slipway.registry.api.PolicyApi;
import io.slipway.registry.http.AdmissionHandler;
import io.slipway.registry.scan.ScanStore;
import io.slipway.va.advisory.AdvisoryDatabase;
import io.slipway.registry.tenancy.Tenancy;
import io.slipway.registry.tenancy.TenancyStore;
import org.eclipse.jetty.server.Handler;
import io.slipway.registry.storage.BlobStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry process: the stores the configuration names, the services over them, and Jetty in
 * front. {@code RegistryServer.start(config)} returns a running server; {@link #close()} stops it.
 */
public final class RegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);

    private final RegistryConfig config;
    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final Stores stores;
    /** The database the stores share (SQLite, or PostgreSQL for several nodes). */
    private final SqlDatabase database;
    private final TenancyStore tenancyStore;
    private final Tenancy tenancy;
    private final Tenancy.Bootstrap bootstrap;
    private final TokenService tokens;
    private final AdvisoryDatabase advisories;
    private final ScanService scans;
    private final Server jetty;
    private final ServerConnector connector;
    private final ServerConnector admissionConnector;
    private final Listeners listeners;
    private final ScheduledExecutorService housekeeping;
    private final io.slipway.registry.observe.Observability observability;
    private final io.slipway.registry.events.Events events;
    private final ManagementHandler management;
    private final java.nio.file.Path adminKeyFile;

    private RegistryServer(RegistryConfig config) throws Exception {
        this.config = config;
        // 0700, its files 0600: it holds the database, the signing key and private images' bytes.
        io.slipway.registry.config.DataFolder.prepare(config.dataDir());
        // The configuration chooses the stores: files and SQLite, or S3 and PostgreSQL shared by nodes.
        this.stores = Stores.open(config);
        this.observability = new io.slipway.registry.observe.Observability(config.observe(), stores.database(),
                stores.blobs());
        this.blobs = observability.blobs(stores.blobs());
        this.metadata = stores.metadata();
        this.tenancyStore = stores.tenancy();
        this.database = stores.database();
        Clock clock = Clock.systemUTC();
        RegistryConfig.AuthSettings auth = config.authSettings();
        this.tenancy = new Tenancy(tenancyStore);
        // The first account and its administrator exist in both modes; in "none" the management
        // API acts as that administrator.
        this.bootstrap = tenancy.bootstrap(auth.bootstrapAccount(), System.getenv("SLIPWAY_ADMIN_API_KEY"));
        // A generated key goes to a file only its owner reads, never to the console or a log.
        this.adminKeyFile = bootstrap != null && bootstrap.generatedKey() != null
                ? AdminKeyFile.write(config.dataDir(), bootstrap.generatedKey()) : null;
        // The signing key lives in a 0600 file, not in the database; nodes sharing PostgreSQL share a configured one.
        boolean sharedDatabase = config.stores().postgres() != null;
        TokenKey tokenKey;
        if (sharedDatabase && auth.tokenKeyFile() == null) {
            if (!auth.open()) {
                throw new IllegalArgumentException("auth.tokenKeyFile is required with metadata: {driver: postgres}: "
                        + "every node sharing the database must sign tokens with the same key (mount one file, e.g. a "
                        + "Kubernetes Secret, on each)");
            }
            tokenKey = TokenKey.ephemeral(); // an open registry issues no tokens
        } else {
            tokenKey = TokenKey.open(auth.tokenKeyFile() != null ? auth.tokenKeyFile()
                    : config.dataDir().resolve(TokenKey.DEFAULT_NAME), !sharedDatabase, tenancyStore);
        }
        this.tokens = new TokenService(tokenKey, "slipway",
                auth.service(), auth.tokenLifetime(), clock);
        Authenticator authenticator = new Authenticator(tenancyStore, clock);
        Authorizer authorizer = new Authorizer(tenancyStore, auth.anonymousPull());
        AccessGate gate = auth.open() ? AccessGate.open()
                : new TokenGate(tokens, authorizer, tenancyStore, new Revocations(tenancyStore, clock));
        DistributionHandler.Audit audit = new DistributionHandler.Audit() {
            @Override
            public void record(String actor, String action, String target, String remote, String outcome) {
                tenancyStore.audit(actor, action, target, remote, outcome);
            }

            @Override
            public io.slipway.registry.metadata.MetadataStore.Alongside alongside(String actor, String action,
                    String target, String remote, String outcome) {
                return c -> tenancyStore.audit(c, actor, action, target, remote, outcome);
            }
        };
        BlobService blobService = new BlobService(blobs, metadata);
        UploadService uploads = new UploadService(blobs, metadata, config.limits(), clock);
        ManifestService manifests = new ManifestService(blobs, metadata, config.limits(), clock);
        this.advisories = AdvisoryDatabase.open(config.dataDir().resolve("advisories.db"));
        // The databases were just created with the umask's permissions (their journals follow them).
        io.slipway.registry.config.DataFolder.tighten(config.dataDir());
        String node = nodeName();
        // Immutable tags, quotas and garbage collection's touches come before the services store or move anything.
        Lifecycle lifecycle = new Lifecycle(database, metadata, blobs, manifests, clock, config.lifecycle().trashRetention(),
                config.lifecycle().gcGrace(), node);
        blobService.guard(lifecycle);
        uploads.guard(lifecycle);
        manifests.guard(lifecycle);
        observability.watch(lifecycle);
        ScanJobs jobs = new ScanJobs(database, node, config.scan().lease(), clock);
        observability.watch(jobs);
        this.events = new io.slipway.registry.events.Events(config.observe(), database, tenancyStore, authorizer, jobs, node,
                this::eventSource, observability.metrics());
        AdvisorySync sync = config.stores().shared()
                ? new AdvisorySync(database, blobs, advisories, config.dataDir().resolve("advisory-snapshots"), node) : null;
        this.scans = new ScanService(blobs, new ScanStore(database), advisories, jobs, sync, config.scan().workers());
        manifests.onPush(record -> {
            try {
                scans.pushed(record);
            } catch (RuntimeException e) {
                LOG.warn("could not queue a scan of {}: {}", record.digest(), e.toString());
            }
        });

        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("registry");
        // Buffers up to 1 MiB are pooled (Jetty's default stops at 64 KiB): the 512 KiB request
        // buffers and the TLS read-ahead would otherwise be new direct memory on every read.
        this.jetty = new Server(threads, null, new ArrayByteBufferPool(0, -1, 1 << 20));
        // The registry listener (HTTPS when tls is set) and the admission webhook's own listener.
        this.listeners = new Listeners(jetty, config.listeners());
        this.connector = listeners.registry(config.host(), config.port());
        this.admissionConnector = listeners.admission();
        DistributionHandler distribution = new DistributionHandler(blobService, uploads, manifests, metadata,
                config.limits(), gate, audit, auth.realm());
        Handler.Sequence handlers = new Handler.Sequence();
        ListenerSettings.Connections limits = config.listeners().connections();
        if (!auth.open()) {
            handlers.addHandler(Listeners.route("/token", limits.tokenBodyBytes(),
                    new TokenHandler(tokens, authenticator, authorizer, audit)));
        }
        // The names images of this registry are pulled by; the port is the one bound (port 0 in tests).
        Supplier<RegistryNames> names = () -> RegistryNames.of(config, connector.getLocalPort());
        EnforcementService enforcement = new EnforcementService(new PolicyStore(database), metadata, blobs, scans,
                new Exemptions(tenancyStore, new ScanStore(database)), clock, names);
        ManagementApi api = new ManagementApi(tenancy, authorizer, metadata, manifests, auth.open(), scans,
                new ScanStore(database), names, lifecycle);
        PolicyApi policyApi = new PolicyApi(enforcement, authorizer, tenancyStore);
        this.management = new ManagementHandler(api, policyApi, authenticator, events.api());
        handlers.addHandler(Listeners.route("/api/", limits.apiBodyBytes(), management));
        // the Registry Console at /console/ (issue 22); its forms are small, so its bodies are bounded too
        handlers.addHandler(Listeners.route("/console", limits.consoleBodyBytes(), io.slipway.registry.console.Console
                .handler(config, api, policyApi, authorizer, authenticator, metadata, blobs, scans, database, names, clock)));
        Admission admission = new Admission(enforcement);
        // The webhook answers on its own listener only: the public port answers /admission/ as any missing route.
        Handler webhook = admissionConnector == null ? null : Listeners.route("/admission/", limits.admissionBodyBytes(),
                new AdmissionHandler(admission, new ImagePinning(admission), policyApi, authenticator, tenancyStore, auth.open()));
        handlers.addHandler(distribution);
        // Every listener's requests are measured and get a request id; the probes and /metrics are the
        // registry listener's (or metrics.listen's), never the webhook's.
        jetty.setHandler(observability.wrap(jetty, listeners.handler(handlers, webhook), admissionConnector));
        jetty.setDefaultHandler(new NotFoundHandler());
        jetty.setErrorHandler(new io.slipway.registry.http.OciErrorHandler());
        jetty.setStopTimeout(5000);

        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                int purged = uploads.purgeAbandoned();
                if (purged > 0) {
                    LOG.info("purged {} abandoned uploads", purged);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("purging abandoned uploads failed: {}", e.toString());
            }
        }, 0, 1, TimeUnit.HOURS);
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                int expired = lifecycle.trash().expire();
                if (expired > 0) {
                    LOG.info("forgot {} images trashed more than {} ago", expired, config.lifecycle().trashRetention());
                }
            } catch (RuntimeException e) {
                LOG.warn("emptying the trash failed: {}", e.toString());
            }
        }, 1, 60, TimeUnit.MINUTES);
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                lifecycle.retention().runPolicies().forEach(r -> {
                    if (!r.trashed().isEmpty() || !r.refused().isEmpty()) {
                        LOG.info("retention of {} moved {} images to the trash, {} kept by immutable tags", r.namespace(),
                                r.trashed().size(), r.refused().size());
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("retention did not run: {}", e.toString());
            }
        }, 5, 24 * 60, TimeUnit.MINUTES);
        long gcEvery = config.lifecycle().gcInterval().toMillis();
        if (gcEvery > 0) {
            housekeeping.scheduleWithFixedDelay(() -> {
                try {
                    lifecycle.collector().collect(false);
                } catch (RuntimeException e) {
                    LOG.warn("garbage collection did not run: {}", e.getMessage());
                }
            }, gcEvery, gcEvery, TimeUnit.MILLISECONDS);
        }
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                scans.sweep();
            } catch (RuntimeException e) {
                LOG.warn("checking the advisory database failed: {}", e.toString());
            }
        }, 10, 10, TimeUnit.SECONDS);
    }

    public static RegistryServer start(RegistryConfig config) throws Exception {
        RegistryServer server = new RegistryServer(config);
        try {
            server.jetty.start();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        LOG.info("registry listening on {} with data in {}", server.uri(), config.dataDir().toAbsolutePath());
        if (server.admissionConnector != null) {
            LOG.info("admission webhook listening on {}", server.admissionUri());
        }
        return server;
    }

    /** The port actually bound (useful with port 0). */
    /** Unique among the nodes sharing a database: the scan jobs a node holds carry its name. */
    private static String nodeName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** The CloudEvents {@code source} of this registry's events: its external URL, else its listener's. */
    private String eventSource() {
        return config.naming().externalUrl() != null ? config.naming().externalUrl() : uri().toString();
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The base URL, {@code http://host:port} or {@code https://host:port}. */
    public URI uri() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create((config.listeners().tls() == null ? "http" : "https") + "://" + host + ":" + port());
    }

    /** The admission webhook's base URL, {@code https://host:port}, or null when it has no listener. */
    public URI admissionUri() {
        if (admissionConnector == null) {
            return null;
        }
        String h = config.listeners().admission().host();
        String host = h.contains(":") ? "[" + h + "]" : h;
        return URI.create("https://" + host + ":" + admissionConnector.getLocalPort());
    }

    /** Compares the TLS files with what is loaded and reloads now, as the watcher does every few seconds. */
    public void reloadTls() {
        listeners.reloadTls();
    }

    public io.slipway.registry.observe.Observability observability() {
        return observability;
    }

    /** The management API's routes, {@code METHOD /path}: what the access matrix must probe. */
    public java.util.List<String> managementRoutes() {
        return management.routes();
    }

    public RegistryConfig config() {
        return config;
    }

    /** The database the stores share (benchmarks seed it through the stores' own classes). */
    public SqlDatabase database() {
        return database;
    }

    public MetadataStore metadata() {
        return metadata;
    }

    public Tenancy tenancy() {
        return tenancy;
    }

    public TokenService tokens() {
        return tokens;
    }

    public ScanService scans() {
        return scans;
    }

    /** What the first start created (the administrator and its generated key), or null. */
    public Tenancy.Bootstrap bootstrap() {
        return bootstrap;
    }

    /** The 0600 file holding the administrator key generated on the first start, or null. */
    public java.nio.file.Path adminKeyFile() {
        return adminKeyFile;
    }

    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() throws Exception {
        housekeeping.shutdownNow();
        try {
            jetty.stop();
        } finally {
            listeners.close();
            events.close();
            scans.close();
            observability.close();
            advisories.close();
            metadata.close();
            stores.close();
        }
    }
}
