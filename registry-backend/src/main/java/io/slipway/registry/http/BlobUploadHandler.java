package io.slipway.registry.http;

import static io.slipway.registry.http.OciExchange.authorization;
import static io.slipway.registry.http.OciExchange.body;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.auth.AccessGate;
import io.slipway.registry.distribution.BlobService;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.distribution.Names;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.distribution.UploadService;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.tenancy.Role.Action;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * {@code /v2/<name>/blobs/uploads/[<id>]}: start (or mount, or push in one request), status,
 * chunks, finish and cancel of an upload.
 */
final class BlobUploadHandler implements RepositoryResource {
    private final UploadService uploads;
    private final BlobService blobService;
    private final MetadataStore metadata;
    private final Limits limits;
    private final AccessGate gate;

    BlobUploadHandler(UploadService uploads, BlobService blobService, MetadataStore metadata, Limits limits,
            AccessGate gate) {
        this.uploads = uploads;
        this.blobService = blobService;
        this.metadata = metadata;
        this.limits = limits;
        this.gate = gate;
    }

    @Override
    public void serve(Call call, Request request, Response response) throws Exception {
        String name = call.repository();
        String id = call.reference();
        String method = request.getMethod();
        Fields query = Request.extractQueryParameters(request);
        if (id.isEmpty()) {
            OciExchange.requireMethod(method, "POST");
            start(name, query, call, request, response);
            return;
        }
        switch (method) {
            case "GET" -> {
                UploadService.Status status = uploads.status(name, id);
                accepted(response, 204, name, status);
            }
            case "PATCH" -> {
                ContentRange range = ContentRange.parse(request.getHeaders().get(HttpHeader.CONTENT_RANGE));
                UploadService.Status status = uploads.append(name, id,
                        range == null ? null : range.start(), range == null ? null : range.length(), body(request));
                accepted(response, 202, name, status);
            }
            case "PUT" -> {
                String digestText = query.getValue("digest");
                if (digestText == null) {
                    throw new OciError(ErrorCode.DIGEST_INVALID, "the digest query parameter is required");
                }
                Digest digest = Names.digest(digestText);
                ContentRange range = ContentRange.parse(request.getHeaders().get(HttpHeader.CONTENT_RANGE));
                uploads.finish(name, id, digest, range == null ? null : range.start(), body(request));
                created(response, name, digest);
            }
            case "DELETE" -> {
                uploads.cancel(name, id);
                response.setStatus(204);
            }
            default -> throw OciExchange.unsupported(method);
        }
    }

    private void start(String name, Fields query, Call call, Request request, Response response) throws Exception {
        String mount = query.getValue("mount");
        if (mount != null) {
            Digest digest = Names.digest(mount);
            String from = query.getValue("from");
            if (from != null && Names.repositoryOrNull(from, limits) != null
                    && gate.allows(authorization(request), from, Action.PULL)
                    && blobService.mount(name, digest, from)) {
                created(response, name, digest);
                return;
            }
            if (from == null) {
                // No source named: mount from a repository of the same namespace that the caller
                // may pull from, never from another tenant's.
                String namespace = name.substring(0, name.indexOf('/'));
                for (String candidate : metadata.repositoriesWithBlob(namespace, digest, 20)) {
                    if (gate.allows(authorization(request), candidate, Action.PULL)
                            && blobService.mount(name, digest, candidate)) {
                        created(response, name, digest);
                        return;
                    }
                }
            }
            // The source is unknown or not readable: fall back to an ordinary upload, as the
            // specification asks, without saying which.
        }
        String digestText = query.getValue("digest");
        if (digestText != null) {
            Digest digest = Names.digest(digestText);
            uploads.monolithic(name, digest, body(request));
            created(response, name, digest);
            return;
        }
        // An open registry's callers are all "anonymous": there only the repository's cap applies.
        UploadService.Status status = uploads.start(name,
                call.caller() == AccessGate.Caller.ANONYMOUS ? null : call.caller().subject());
        accepted(response, 202, name, status);
    }

    private static void accepted(Response response, int code, String name, UploadService.Status status) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.LOCATION, UploadService.uploadLocation(name, status.id()));
        response.getHeaders().put("Range", UploadService.range(status.size()));
        response.getHeaders().put("Docker-Upload-UUID", status.id());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    }

    private static void created(Response response, String name, Digest digest) {
        response.setStatus(201);
        response.getHeaders().put(HttpHeader.LOCATION, "/v2/" + name + "/blobs/" + digest);
        response.getHeaders().put("Docker-Content-Digest", digest.toString());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    }
}
