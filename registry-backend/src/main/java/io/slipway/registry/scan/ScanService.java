package io.slipway.registry.scan;

import io.slipway.oci.ArtifactKind;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.Manifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.vulnerability.ScanReport;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.scan.ScanResult.Issue;
import io.slipway.registry.scan.ScanResult.State;
import io.slipway.registry.storage.BlobContent;
import io.slipway.registry.storage.BlobStore;
import io.slipway.va.ImageToScan;
import io.slipway.va.Scanner;
import io.slipway.va.advisory.AdvisoryDatabase;
import io.slipway.va.advisory.DatabaseStatus;
import io.slipway.va.config.ImageConfig;
import io.slipway.va.layer.LayerSource;
import io.slipway.va.report.ConfigurationItem;
import io.slipway.va.report.Exemption;
import io.slipway.va.report.ImageCoordinates;
import io.slipway.va.report.IssueType;
import io.slipway.va.report.Report;
import io.slipway.va.report.VulnerabilityItem;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scan on push: every image manifest pushed becomes a job in the scan job table ({@link ScanJobs}),
 * which this node's workers — and every other node's sharing the database — take, scan from the
 * blob store with the Vulnerability Advisor, and finish; the result is kept by digest. Helm charts,
 * signatures and other artifacts are Unsupported, not Failed. A newer advisory database re-scans
 * what is stored, newest first. A job whose node died is taken again when its lease expires; after
 * {@value #MAX_ATTEMPTS} attempts the image's scan is Failed rather than retried forever.
 */
public final class ScanService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScanService.class);
    private static final int MANIFEST_LIMIT = 4 << 20;
    private static final int CONFIG_LIMIT = 1 << 20;
    static final int MAX_ATTEMPTS = 3;
    /** How often an idle worker looks for jobs other nodes queued (its own wake it at once). */
    private static final long POLL_MILLIS = 500;

    private final BlobStore blobs;
    private final ScanStore store;
    private final AdvisoryDatabase database;
    private final ScanJobs jobs;
    private final AdvisorySync sync;
    private final List<Thread> workers = new ArrayList<>();
    private final ScheduledExecutorService leases;
    private final Set<ScanJobs.Job> running = ConcurrentHashMap.newKeySet();
    private final Object wakeUp = new Object();
    private volatile boolean closed;
    private volatile String databaseVersion;

    /**
     * @param sync how the advisory database is shared with other nodes, or null for a node of its own
     */
    public ScanService(BlobStore blobs, ScanStore store, AdvisoryDatabase database, ScanJobs jobs, AdvisorySync sync,
            int threads) {
        this.sync = sync;
        this.blobs = blobs;
        this.store = store;
        this.database = database;
        this.jobs = jobs;
        this.databaseVersion = version(database.status());
        // Held jobs are renewed three times per lease: one missed renewal does not lose a job.
        long every = Math.max(1, jobs.lease().toMillis() / 3);
        this.leases = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "va-lease");
            t.setDaemon(true);
            return t;
        });
        leases.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "va-scanner-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /** The advisory database's identity: its sources, record counts and last imports. */
    static String version(DatabaseStatus status) {
        StringBuilder v = new StringBuilder();
        for (DatabaseStatus.SourceStatus s : status.sources()) {
            v.append(s.source()).append('=').append(s.records()).append('@').append(s.lastImport()).append(';');
        }
        return v.toString();
    }

    public AdvisoryDatabase database() {
        return database;
    }

    public ScanJobs jobs() {
        return jobs;
    }

    /**
     * Called after a manifest push. Indexes are not scanned; their status is their children's. What
     * {@link ArtifactKind} says is no image (a chart, a Tekton bundle, a signature) is not queued: it
     * is Unsupported at once, as a scan would find.
     */
    public void pushed(ManifestRecord manifest) {
        ArtifactKind kind = ArtifactKind.of(manifest.mediaType(), manifest.artifactType());
        if (kind == ArtifactKind.INDEX) {
            return;
        }
        if (kind != ArtifactKind.IMAGE) {
            if (store.get(manifest.digest()).isEmpty()) {
                store.put(new ScanResult(manifest.digest(), State.UNSUPPORTED, null, null, List.of(), List.of(), null,
                        databaseVersion, java.time.Instant.now()));
            }
            return;
        }
        if (isCurrent(store.get(manifest.digest()))) {
            return; // the same content was scanned against this database already
        }
        enqueue(manifest.digest());
    }

    /** Scans the image again even if its result is current (the console's re-scan button); indexes are not scanned. */
    public void rescan(ManifestRecord manifest) {
        if (!MediaTypes.isIndex(manifest.mediaType())) {
            enqueue(manifest.digest());
        }
    }

    private boolean isCurrent(Optional<ScanResult> known) {
        return known.isPresent() && databaseVersion.equals(known.get().databaseVersion())
                && (known.get().state() == State.DONE || known.get().state() == State.UNSUPPORTED);
    }

    private void enqueue(Digest digest) {
        // An image with a job already (another push of it, on any node) keeps that job's state.
        if (jobs.offer(digest) || store.get(digest).isEmpty()) {
            store.put(ScanResult.of(digest, State.QUEUED, databaseVersion));
        }
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    private void work() {
        while (!closed) {
            try {
                Optional<ScanJobs.Job> job = jobs.take();
                if (job.isEmpty()) {
                    synchronized (wakeUp) {
                        wakeUp.wait(POLL_MILLIS);
                    }
                    continue;
                }
                running.add(job.get());
                try {
                    run(job.get());
                } finally {
                    running.remove(job.get());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The database is unreachable for a moment: the job stays in the table for later.
                LOG.warn("scan worker: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    private void run(ScanJobs.Job job) {
        long started = System.currentTimeMillis();
        // The job may be a re-scan another node queued for an advisory database this node has not
        // loaded yet (its own sweep runs every few seconds): load it first, or the scan would be
        // stored under the old version and this node's next sweep would queue the image again.
        currentDatabaseVersion();
        if (isCurrent(store.get(job.digest()))) {
            jobs.drop(job); // another node scanned it against this database meanwhile
            return;
        }
        if (job.attempt() > MAX_ATTEMPTS) {
            store.put(new ScanResult(job.digest(), State.FAILED, null, null, List.of(), List.of(),
                    "scan abandoned after " + MAX_ATTEMPTS + " attempts (the nodes scanning it stopped or timed out)",
                    databaseVersion, java.time.Instant.now()));
            jobs.complete(job, started, State.FAILED.name());
            return;
        }
        ScanResult result = scan(job.digest());
        jobs.complete(job, started, result.state().name());
    }

    private void renewLeases() {
        for (ScanJobs.Job job : running) {
            try {
                if (!jobs.renew(job)) {
                    LOG.warn("lost the lease of the scan of {}; another node took it", job.digest());
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot renew the lease of the scan of {}: {}", job.digest(), e.toString());
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The advisory database in use now. A database changed on disk (an offline import) or by another
     * node is picked up first, so no judge reads a report as current that is not.
     */
    public String currentDatabaseVersion() {
        boolean changed = !version(database.status()).equals(databaseVersion);
        if (!changed && sync != null) {
            AdvisorySync.Published latest = sync.latest();
            changed = latest != null && !latest.version().equals(databaseVersion);
        }
        if (changed) {
            sweep();
        }
        return databaseVersion;
    }

    /**
     * The scan of {@code digest} as a judge may use it: a result computed against an advisory
     * database other than {@code current} is queued again first (and shows as queued, or keeps its
     * old database version until the worker takes it; either way no judge passes it).
     */
    public Optional<ScanResult> result(Digest digest, String current) {
        Optional<ScanResult> r = store.get(digest);
        if (r.isPresent() && !current.equals(r.get().databaseVersion())
                && (r.get().state() == State.DONE || r.get().state() == State.FAILED)) {
            enqueue(digest);
            r = store.get(digest);
        }
        return r;
    }

    /** {@link #result(Digest, String)} for many digests (a page of a listing), read in one query. */
    public java.util.Map<Digest, ScanResult> results(java.util.Collection<Digest> digests, String current) {
        java.util.Map<Digest, ScanResult> found = new java.util.HashMap<>(store.getAll(digests));
        for (ScanResult r : List.copyOf(found.values())) {
            if (!current.equals(r.databaseVersion()) && (r.state() == State.DONE || r.state() == State.FAILED)) {
                result(r.digest(), current).ifPresentOrElse(x -> found.put(x.digest(), x), () -> found.remove(r.digest()));
            }
        }
        return found;
    }

    /** What an import through the registry did, and the advisory database in use after it. */
    public record Imported(io.slipway.va.advisory.ImportResult result, String databaseVersion) {
    }

    /**
     * Imports an advisory file into the database in use and returns once it is the one in use: the
     * version judges compare reports with has changed, other nodes were told, re-scans are queued.
     */
    public Imported importAdvisories(java.nio.file.Path file) throws IOException {
        io.slipway.va.advisory.ImportResult result = database.importFile(file);
        sweep();
        return new Imported(result, databaseVersion);
    }

    /** Picks up a new advisory database: what was scanned against another one is queued again. */
    public synchronized void sweep() {
        if (sync != null) {
            try {
                sync.sync();
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot share the advisory database with the other nodes: {}", e.toString());
            }
        }
        String current = version(database.status());
        if (!current.equals(databaseVersion)) {
            LOG.info("advisory database changed; re-scanning stored images, newest first");
            databaseVersion = current;
            for (Digest d : store.staleScans(current)) {
                enqueue(d);
            }
        }
    }

    ScanResult scan(Digest digest) {
        String version = databaseVersion;
        store.put(ScanResult.of(digest, State.SCANNING, version));
        ScanResult result;
        try {
            result = scanNow(digest, version);
        } catch (Exception e) {
            LOG.warn("scan of {} failed: {}", digest, e.toString());
            result = new ScanResult(digest, State.FAILED, null, null, List.of(), List.of(),
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), version,
                    java.time.Instant.now());
        }
        store.put(result);
        return result;
    }

    private ScanResult scanNow(Digest digest, String version) throws IOException {
        byte[] bytes = blobs.readAll(digest, MANIFEST_LIMIT);
        if (bytes == null) {
            throw new IOException("manifest " + digest + " is not in the blob store");
        }
        Manifest manifest = Manifest.parse(bytes, null);
        Descriptor config = manifest.config();
        if (ArtifactKind.of(manifest) != ArtifactKind.IMAGE) {
            // A chart, a Tekton bundle, a signature (cosign's keep an image config) or another
            // artifact: nothing a package scanner can judge.
            return new ScanResult(digest, State.UNSUPPORTED, null, null, List.of(), List.of(), null, version,
                    java.time.Instant.now());
        }
        byte[] configBytes = blobs.readAll(config.digest(), CONFIG_LIMIT);
        ImageConfig imageConfig = configBytes == null ? ImageConfig.empty() : ImageConfig.parse(configBytes);
        List<LayerSource> layers = new ArrayList<>();
        for (Descriptor layer : manifest.layers()) {
            layers.add(() -> open(layer.digest()));
        }
        Report report = Scanner.with(database).scan(ImageToScan.of(layers).withConfig(imageConfig));
        List<Issue> issues = new ArrayList<>();
        for (VulnerabilityItem v : report.vulnerabilities()) {
            var f = v.finding();
            List<String> ids = new ArrayList<>();
            ids.add(f.id());
            ids.add(f.advisoryId());
            ids.addAll(f.aliases());
            issues.add(new Issue("cve", f.id(), ids.stream().distinct().toList(), f.pkg().name(), f.installed(),
                    f.fixedVersion(), f.severity().name(), f.summary(), null));
        }
        for (ConfigurationItem c : report.configuration()) {
            var i = c.issue();
            issues.add(new Issue("configuration", i.id(), List.of(i.id()), null, null, null, i.severity().name(),
                    i.description() + (i.detail() == null ? "" : ": " + i.detail()), i.correction()));
        }
        List<String> advice = report.advice().stream().map(a -> a.text()).toList();
        String os = report.os() == null ? null
                : report.os().prettyName() != null ? report.os().prettyName() : report.os().id() + " " + report.os().versionId();
        return new ScanResult(digest, State.DONE, os,
                report.unassessed(), issues, advice, null, version, java.time.Instant.now());
    }

    private InputStream open(Digest digest) throws IOException {
        BlobContent content = blobs.open(digest);
        if (content == null) {
            throw new IOException("layer " + digest + " is not in the blob store");
        }
        InputStream in = content.stream(0, content.size());
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    content.close();
                }
            }
        };
    }

    /** The scan as stored, whichever database it was computed against; judges use {@link #result(Digest, String)}. */
    public Optional<ScanResult> result(Digest digest) {
        return store.get(digest);
    }

    /** The issues of a result as seen through {@code exemptions} at these coordinates. */
    public record View(ScanResult result, List<Issue> issues, List<Issue> exempt) {
        public long count() {
            return issues.size();
        }
    }

    public View view(ScanResult result, ImageCoordinates at, List<Exemption> exemptions) {
        List<Issue> counted = new ArrayList<>();
        List<Issue> exempt = new ArrayList<>();
        for (Issue i : result.issues()) {
            IssueType type = "cve".equals(i.type()) ? IssueType.CVE : IssueType.CONFIGURATION;
            boolean covered = exemptions.stream().anyMatch(e -> e.covers(at, type, i.ids()));
            (covered ? exempt : counted).add(i);
        }
        return new View(result, counted, exempt);
    }

    /**
     * The report every judge reads (see {@link io.slipway.oci.vulnerability.VulnerabilityJudge}), from a
     * stored result seen through exemptions, or from no result at all.
     */
    public static ScanReport report(ScanResult result, View view, String currentDatabaseVersion) {
        if (result == null) {
            return new ScanReport(ScanReport.State.NOT_SCANNED, status(null, null), null, null, null,
                    currentDatabaseVersion, List.of());
        }
        List<ScanReport.Finding> findings = new ArrayList<>();
        for (Issue i : result.issues()) {
            findings.add(new ScanReport.Finding("cve".equals(i.type()) ? "cve" : "configuration", i.id(), i.severity(),
                    i.pkg(), i.installed(), i.fixed(), view.exempt().contains(i)));
        }
        return new ScanReport(ScanReport.State.valueOf(result.state().name()), status(result, view), result.unassessed(),
                result.error(), result.databaseVersion(), currentDatabaseVersion, findings);
    }

    /** The security status a listing shows, e.g. {@code No Issues}, {@code 5 Issues}, {@code Scanning}. */
    public static String status(ScanResult result, View view) {
        if (result == null) {
            return "Not Scanned";
        }
        return switch (result.state()) {
            case QUEUED, SCANNING -> "Scanning";
            case FAILED -> "Scan Failed";
            case UNSUPPORTED -> "Unsupported";
            case DONE -> view.count() > 0 ? (view.count() == 1 ? "1 Issue" : view.count() + " Issues")
                    : result.unassessed() == null ? "No Issues" : "Unsupported OS";
        };
    }

    /** Waits until no job waits or runs on any node sharing the database (tests, shutdown). */
    public boolean idle(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (running.isEmpty() && jobs.pending() == 0) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        leases.shutdownNow();
        workers.forEach(Thread::interrupt);
        for (Thread t : workers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
