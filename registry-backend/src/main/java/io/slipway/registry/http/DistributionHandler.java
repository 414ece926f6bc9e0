package io.slipway.registry.http;

import io.slipway.oci.ErrorCode;
import io.slipway.registry.auth.AccessDenied;
import io.slipway.registry.auth.AccessGate;
import io.slipway.registry.distribution.BlobService;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.distribution.UploadService;
import io.slipway.registry.metadata.MetadataException;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.signatures.SignatureService;
import java.util.EnumMap;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI Distribution API under {@code /v2/} (and the signature extension under
 * {@code /extensions/v2/}): the router. It parses the path once ({@link DistributionRoute}), has
 * the gate decide what the resource's handler says the request needs, and calls that handler;
 * every refusal is an {@link OciError} turned into the OCI error JSON with the status of
 * {@link ErrorCode} ({@link OciErrors}). No SQL and no file paths here.
 */
public final class DistributionHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(DistributionHandler.class);
    private static final String API_VERSION = "registry/2.0";

    private final Limits limits;
    private final AccessGate gate;
    private final Challenge challenge;
    private final Audit audit;
    private final CatalogHandler catalog;
    private final Map<DistributionRoute.Resource, RepositoryResource> resources =
            new EnumMap<>(DistributionRoute.Resource.class);

    /** Where pushes and deletes are recorded. */
    public interface Audit {
        /** Records an entry in a transaction of its own. */
        void record(String actor, String action, String target, String remote, String outcome);

        /**
         * The entry as work for the transaction of the change it records (a push's manifest and tags,
         * a delete), so the entry and the webhook events it makes commit with the change or not at all.
         */
        MetadataStore.Alongside alongside(String actor, String action, String target, String remote, String outcome);
    }

    /**
     * @param fixedRealm the token endpoint's URL to announce, or null for this listener's own address
     *                   the client used
     */
    public DistributionHandler(BlobService blobService, UploadService uploads, ManifestService manifests,
            MetadataStore metadata, Limits limits, AccessGate gate, Audit audit, String fixedRealm) {
        this.limits = limits;
        this.gate = gate;
        this.challenge = new Challenge(fixedRealm);
        this.audit = audit;
        this.catalog = new CatalogHandler(gate, challenge, metadata, limits);
        resources.put(DistributionRoute.Resource.BLOBS, new BlobHandler(blobService, audit));
        resources.put(DistributionRoute.Resource.UPLOADS,
                new BlobUploadHandler(uploads, blobService, metadata, limits, gate));
        resources.put(DistributionRoute.Resource.MANIFESTS, new ManifestHandler(manifests, limits, audit));
        resources.put(DistributionRoute.Resource.TAGS, new TagHandler(manifests, limits));
        resources.put(DistributionRoute.Resource.REFERRERS, new ReferrerHandler(manifests));
        resources.put(DistributionRoute.Resource.SIGNATURES,
                new SignatureHandler(new SignatureService(metadata), audit));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (!DistributionRoute.served(path)) {
            return false;
        }
        response.getHeaders().put("Docker-Distribution-API-Version", API_VERSION);
        response.getHeaders().put("X-Registry-Supports-Signatures", "1");
        try {
            dispatch(DistributionRoute.parse(path, limits), request, response);
            callback.succeeded();
        } catch (OciError e) {
            OciErrors.write(request, response, callback, e);
        } catch (AccessDenied e) {
            OciErrors.write(request, response, callback, Challenge.unauthorized(e, response));
        } catch (Throwable e) {
            if (!response.isCommitted() && io.slipway.registry.distribution.StorageFull.is(e)) {
                LOG.warn("{} {} refused: storage full: {}", request.getMethod(), path, e.toString());
                drain(request);
                OciErrors.write(request, response, callback, OciErrors.STORAGE_FULL);
            } else if (e instanceof MetadataException) {
                LOG.error("metadata store failed on {} {}", request.getMethod(), path, e);
                OciErrors.write(request, response, callback, OciErrors.UNAVAILABLE);
            } else if (response.isCommitted()) {
                LOG.debug("{} {} failed after the answer began: {}", request.getMethod(), path, e.toString());
                callback.failed(e);
            } else if (isClientGone(e)) {
                LOG.debug("{} {}: client went away: {}", request.getMethod(), path, e.toString());
                callback.failed(e);
            } else {
                LOG.error("{} {} failed", request.getMethod(), path, e);
                OciErrors.write(request, response, callback, OciErrors.INTERNAL);
            }
        }
        return true;
    }

    /** How much of a refused body is read and dropped before the answer; beyond it the connection just closes. */
    private static final long DRAIN_BYTES = 32L * 1024 * 1024;

    /**
     * Reads and drops what is left of the body of a write refused half-way (a full disk stops an upload
     * mid-stream). A client still sending would otherwise meet a closed connection and read no answer
     * at all; drained, it reads the 507 that says why.
     */
    private static void drain(Request request) {
        java.io.InputStream in = org.eclipse.jetty.io.Content.Source.asInputStream(request);
        byte[] buffer = new byte[64 * 1024];
        long left = DRAIN_BYTES;
        try {
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= n;
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("draining a refused body stopped: {}", e.toString());
        }
    }

    private void dispatch(DistributionRoute route, Request request, Response response) throws Exception {
        switch (route.resource()) {
            case BASE -> catalog.base(request, response);
            case CATALOG -> catalog.catalog(request, response);
            default -> {
                RepositoryResource resource = resources.get(route.resource());
                resource.precheck(request.getMethod(), route.reference());
                AccessGate.Caller caller = gate.require(OciExchange.authorization(request), route.name(),
                        route.resource().action(request.getMethod()), challenge.realm(request));
                String remote = Request.getRemoteAddr(request);
                try {
                    resource.serve(new RepositoryResource.Call(route.name(), route.reference(), caller, remote),
                            request, response);
                } catch (io.slipway.registry.distribution.StorageGuard.Refusal e) {
                    // What the lifecycle refuses (an immutable tag, a quota) is an administrator's
                    // question later ("who hit the quota?"), as the management API's refusals are.
                    audit.record(caller.subject(), refusedAction(route.resource(), request.getMethod()),
                            refusedTarget(route), remote, "refused: " + e.getMessage());
                    throw e;
                }
            }
        }
    }

    /** The audit action of a refused request, in the words of the accepted ones ({@code image.push}, {@code blob.delete}). */
    static String refusedAction(DistributionRoute.Resource resource, String method) {
        String object = switch (resource) {
            case MANIFESTS -> "image";
            case TAGS -> "tag";
            case SIGNATURES -> "signature";
            default -> "blob";
        };
        String verb = switch (method) {
            case "DELETE" -> "delete";
            case "GET", "HEAD" -> "pull";
            default -> "push";
        };
        return object + "." + verb;
    }

    private static String refusedTarget(DistributionRoute route) {
        String reference = route.reference();
        if (reference == null || route.resource() == DistributionRoute.Resource.UPLOADS) {
            return route.name();
        }
        return route.name() + (io.slipway.oci.Digest.looksLikeDigest(reference) ? "@" : ":") + reference;
    }

    private static boolean isClientGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.jetty.io.EofException || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return false;
    }
}
