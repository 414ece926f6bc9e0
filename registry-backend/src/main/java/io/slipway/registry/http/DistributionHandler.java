package io.slipway.registry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.auth.AccessDenied;
import io.slipway.registry.auth.AccessGate;
import io.slipway.registry.signatures.SignatureService;
import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.distribution.BlobService;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.Names;
import io.slipway.registry.distribution.RegistryException;
import io.slipway.registry.distribution.RequestBody;
import io.slipway.registry.distribution.UploadService;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataException;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.storage.BlobContent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI Distribution API under {@code /v2/}. Each route parses its request, calls one service
 * and writes the answer; every refusal is a {@link RegistryException} turned into the OCI error
 * JSON with the status of {@link ErrorCode}. No SQL and no file paths here.
 */
public final class DistributionHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(DistributionHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_VERSION = "registry/2.0";

    // /v2/<name>/(blobs|manifests|tags|referrers|blobs/uploads)/<rest>. A name component may
    // itself be "blobs" or "manifests", so the name is matched by its own grammar, longest first,
    // as the reference registry's router does; a path with no valid name falls to NAME_INVALID.
    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern ROUTE = Pattern.compile(
            "^/v2/(" + COMPONENT + "(?:/" + COMPONENT + ")+)/(blobs/uploads/?|blobs/|manifests/|tags/list$|referrers/)(.*)$");
    private static final Pattern LOOSE_ROUTE = Pattern.compile(
            "^/v2/(.+?)/(blobs/uploads/?|blobs/|manifests/|tags/list$|referrers/)(.*)$");
    private static final int MAX_PATH = 4096;

    private final BlobService blobService;
    private final UploadService uploads;
    private final ManifestService manifests;
    private final MetadataStore metadata;
    private final Limits limits;
    private final AccessGate gate;
    private final Audit audit;
    private final String fixedRealm;
    private final SignatureService signatureService;

    /** Where pushes and deletes are recorded. */
    @FunctionalInterface
    public interface Audit {
        void record(String actor, String action, String target, String remote, String outcome);
    }

    /**
     * @param fixedRealm the token endpoint's URL to announce, or null for this listener's own address
     *                   the client used
     */
    public DistributionHandler(BlobService blobService, UploadService uploads, ManifestService manifests,
            MetadataStore metadata, Limits limits, AccessGate gate, Audit audit, String fixedRealm) {
        this.blobService = blobService;
        this.uploads = uploads;
        this.manifests = manifests;
        this.metadata = metadata;
        this.limits = limits;
        this.gate = gate;
        this.audit = audit;
        this.fixedRealm = fixedRealm;
        this.signatureService = new SignatureService(metadata);
    }

    /** The per-request facts the routes need besides the request itself. */
    private record Call(String repository, AccessGate.Caller caller, String remote) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (path == null || !(path.equals("/v2") || path.startsWith("/v2/") || path.startsWith("/extensions/v2/"))) {
            return false;
        }
        response.getHeaders().put("Docker-Distribution-API-Version", API_VERSION);
        response.getHeaders().put("X-Registry-Supports-Signatures", "1");
        try {
            route(path, request, response);
            callback.succeeded();
        } catch (RegistryException e) {
            writeError(request, response, callback, e);
        } catch (AccessDenied e) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, e.challenge());
            writeError(request, response, callback, new RegistryException(ErrorCode.UNAUTHORIZED, null,
                    e.repository().isEmpty() ? null : List.of(Map.of(
                            "Type", e.repository().equals("catalog") ? "registry" : "repository",
                            "Name", e.repository(), "Action", e.action())), Map.of()));
        } catch (MetadataException e) {
            LOG.error("metadata store failed on {} {}", request.getMethod(), path, e);
            writeError(request, response, callback, new Failure(503, "UNAVAILABLE", "metadata store unavailable"));
        } catch (Throwable e) {
            if (response.isCommitted()) {
                LOG.debug("{} {} failed after the answer began: {}", request.getMethod(), path, e.toString());
                callback.failed(e);
            } else if (isClientGone(e)) {
                LOG.debug("{} {}: client went away: {}", request.getMethod(), path, e.toString());
                callback.failed(e);
            } else {
                LOG.error("{} {} failed", request.getMethod(), path, e);
                writeError(request, response, callback, new Failure(500, "UNKNOWN", "internal error"));
            }
        }
        return true;
    }

    private void route(String path, Request request, Response response) throws Exception {
        String method = request.getMethod();
        if (path.startsWith("/extensions/v2/")) {
            signatures(path, request, response);
            return;
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            requireMethod(method, "GET", "HEAD");
            gate.requireAuthenticated(authorization(request), realm(request));
            sendJson(request, response, 200, "{}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (path.equals("/v2/_catalog")) {
            requireMethod(method, "GET");
            catalog(request, response, gate.catalog(authorization(request), realm(request)));
            return;
        }
        Matcher m = path.length() <= MAX_PATH ? ROUTE.matcher(path) : null;
        if (m == null || !m.matches()) {
            // Say what is wrong with the name when the path has the shape of a route.
            Matcher loose = LOOSE_ROUTE.matcher(path.length() <= MAX_PATH ? path : "");
            if (loose.matches()) {
                Names.repository(loose.group(1), limits);
            }
            throw new RegistryException(ErrorCode.NAME_INVALID, "no such endpoint");
        }
        String name = Names.repository(m.group(1), limits);
        String kind = m.group(2);
        String rest = m.group(3);
        Action action = switch (kind) {
            case "blobs/uploads", "blobs/uploads/" -> Action.PUSH;
            case "blobs/", "manifests/" -> method.equals("DELETE") ? Action.DELETE
                    : method.equals("PUT") ? Action.PUSH : Action.PULL;
            default -> Action.PULL;
        };
        AccessGate.Caller caller = gate.require(authorization(request), name, action, realm(request));
        Call call = new Call(name, caller, Request.getRemoteAddr(request));
        switch (kind) {
            case "blobs/uploads", "blobs/uploads/" -> uploads(method, name, rest, call, request, response);
            case "blobs/" -> blob(method, call, rest, request, response);
            case "manifests/" -> manifest(method, call, rest, request, response);
            case "tags/list" -> {
                requireMethod(method, "GET");
                tags(name, request, response);
            }
            case "referrers/" -> {
                requireMethod(method, "GET");
                referrers(name, rest, request, response);
            }
            default -> throw new RegistryException(ErrorCode.NAME_INVALID, "no such endpoint");
        }
    }

    // --- blobs

    private void blob(String method, Call call, String reference, Request request, Response response) throws Exception {
        String name = call.repository();
        Digest digest = Names.digest(reference);
        switch (method) {
            case "HEAD" -> {
                long size = blobService.size(name, digest);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
                response.getHeaders().put("Docker-Content-Digest", digest.toString());
                response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
                complete(response);
            }
            case "GET" -> sendBlob(name, digest, request, response);
            case "DELETE" -> {
                blobService.delete(name, digest);
                audit.record(call.caller().subject(), "blob.delete", name + "@" + digest, call.remote(), "ok");
                response.setStatus(202);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                complete(response);
            }
            default -> throw unsupported(method);
        }
    }

    private void sendBlob(String name, Digest digest, Request request, Response response) throws Exception {
        try (BlobContent content = blobService.open(name, digest)) {
            java.net.URI direct = content.redirect();
            if (direct != null) {
                // The object store serves the bytes (and any Range) itself; this node only authorized the pull.
                response.setStatus(307);
                response.getHeaders().put(HttpHeader.LOCATION, direct.toString());
                response.getHeaders().put("Docker-Content-Digest", digest.toString());
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                complete(response);
                return;
            }
            long size = content.size();
            long start = 0;
            long length = size;
            String rangeHeader = request.getHeaders().get(HttpHeader.RANGE);
            int status = 200;
            if (rangeHeader != null) {
                ByteRange range = ByteRange.parse(rangeHeader, size);
                if (range == null) {
                    throw new RegistryException(ErrorCode.RANGE_INVALID, "unsatisfiable range " + rangeHeader,
                            null, Map.of("Content-Range", "bytes */" + size));
                }
                start = range.start();
                length = range.length();
                status = 206;
                response.getHeaders().put(HttpHeader.CONTENT_RANGE,
                        "bytes " + start + "-" + (start + length - 1) + "/" + size);
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
            response.getHeaders().put("Docker-Content-Digest", digest.toString());
            response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
            response.getHeaders().put(HttpHeader.ETAG, "\"" + digest + "\"");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=31536000");
            FileChannel channel = content.fileChannel();
            if (channel != null) {
                sendFile(request, response, channel, start, length);
            } else {
                try (InputStream in = content.stream(start, length)) {
                    byte[] buf = new byte[1 << 16];
                    long remaining = length;
                    while (remaining > 0) {
                        int r = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                        if (r < 0) {
                            throw new IOException("blob " + digest + " ended early");
                        }
                        remaining -= r;
                        write(response, remaining == 0, ByteBuffer.wrap(buf, 0, r));
                    }
                    if (length == 0) {
                        write(response, true, ByteBuffer.allocate(0));
                    }
                }
            }
        }
    }

    /**
     * Sends {@code length} bytes of a stored file from {@code start}. On this registry's own
     * connector the kernel moves them from the page cache to the socket (sendfile, see
     * {@link FileRegionEndPoint}); elsewhere (another connector embedding this handler) they are
     * read into one direct buffer per request and written from it.
     */
    private static void sendFile(Request request, Response response, FileChannel channel, long start, long length)
            throws IOException {
        if (length == 0) {
            write(response, true, ByteBuffer.allocate(0));
            return;
        }
        long end = start + length;
        if (request.getConnectionMetaData().getConnection().getEndPoint() instanceof FileRegionEndPoint endPoint) {
            for (long offset = start; offset < end; ) {
                int n = (int) Math.min(FileRegionEndPoint.MAX_REGION, end - offset);
                ByteBuffer standIn = endPoint.standIn(channel, offset, n);
                offset += n;
                try {
                    write(response, offset >= end, standIn);
                } finally {
                    endPoint.release(standIn);
                }
            }
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(1 << 20, length));
        for (long offset = start; offset < end; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - offset));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new IOException("stored blob ended early");
                }
            }
            buffer.flip();
            offset += buffer.remaining();
            write(response, offset >= end, buffer);
        }
    }

    // --- uploads

    private void uploads(String method, String name, String id, Call call, Request request, Response response)
            throws Exception {
        Fields query = Request.extractQueryParameters(request);
        if (id.isEmpty()) {
            requireMethod(method, "POST");
            startUpload(name, query, call, request, response);
            return;
        }
        switch (method) {
            case "GET" -> {
                UploadService.Status status = uploads.status(name, id);
                uploadAccepted(response, 204, name, status);
            }
            case "PATCH" -> {
                ContentRange range = ContentRange.parse(request.getHeaders().get(HttpHeader.CONTENT_RANGE));
                UploadService.Status status = uploads.append(name, id,
                        range == null ? null : range.start(), range == null ? null : range.length(), body(request));
                uploadAccepted(response, 202, name, status);
            }
            case "PUT" -> {
                String digestText = query.getValue("digest");
                if (digestText == null) {
                    throw new RegistryException(ErrorCode.DIGEST_INVALID, "the digest query parameter is required");
                }
                Digest digest = Names.digest(digestText);
                ContentRange range = ContentRange.parse(request.getHeaders().get(HttpHeader.CONTENT_RANGE));
                uploads.finish(name, id, digest, range == null ? null : range.start(), body(request));
                blobCreated(response, name, digest);
            }
            case "DELETE" -> {
                uploads.cancel(name, id);
                response.setStatus(204);
                complete(response);
            }
            default -> throw unsupported(method);
        }
    }

    private void startUpload(String name, Fields query, Call call, Request request, Response response) throws Exception {
        String mount = query.getValue("mount");
        if (mount != null) {
            Digest digest = Names.digest(mount);
            String from = query.getValue("from");
            if (from != null && Names.repositoryOrNull(from, limits) != null
                    && gate.allows(authorization(request), from, Action.PULL)
                    && blobService.mount(name, digest, from)) {
                blobCreated(response, name, digest);
                return;
            }
            if (from == null) {
                // No source named: mount from a repository of the same namespace that the caller
                // may pull from, never from another tenant's.
                String namespace = name.substring(0, name.indexOf('/'));
                for (String candidate : metadata.repositoriesWithBlob(namespace, digest, 20)) {
                    if (gate.allows(authorization(request), candidate, Action.PULL)
                            && blobService.mount(name, digest, candidate)) {
                        blobCreated(response, name, digest);
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
            blobCreated(response, name, digest);
            return;
        }
        // An open registry's callers are all "anonymous": there only the repository's cap applies.
        UploadService.Status status = uploads.start(name,
                call.caller() == AccessGate.Caller.ANONYMOUS ? null : call.caller().subject());
        uploadAccepted(response, 202, name, status);
    }

    private static void uploadAccepted(Response response, int code, String name, UploadService.Status status) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.LOCATION, UploadService.uploadLocation(name, status.id()));
        response.getHeaders().put("Range", UploadService.range(status.size()));
        response.getHeaders().put("Docker-Upload-UUID", status.id());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        complete(response);
    }

    private static void blobCreated(Response response, String name, Digest digest) {
        response.setStatus(201);
        response.getHeaders().put(HttpHeader.LOCATION, "/v2/" + name + "/blobs/" + digest);
        response.getHeaders().put("Docker-Content-Digest", digest.toString());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        complete(response);
    }

    // --- manifests

    private void manifest(String method, Call call, String reference, Request request, Response response)
            throws Exception {
        String name = call.repository();
        switch (method) {
            case "GET", "HEAD" -> {
                ManifestRecord record;
                byte[] content = null;
                if (method.equals("GET")) {
                    ManifestService.Found found = manifests.get(name, reference);
                    record = found.record();
                    content = found.content();
                } else {
                    record = manifests.head(name, reference);
                }
                if (!Negotiation.accepts(request.getHeaders().getValuesList(HttpHeader.ACCEPT), record.mediaType())) {
                    throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + record.digest()
                            + " is a " + record.mediaType() + ", which the request does not accept");
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, record.mediaType());
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, record.size());
                response.getHeaders().put("Docker-Content-Digest", record.digest().toString());
                response.getHeaders().put(HttpHeader.ETAG, "\"" + record.digest() + "\"");
                if (content == null) {
                    complete(response);
                } else {
                    write(response, true, ByteBuffer.wrap(content));
                }
            }
            case "PUT" -> {
                byte[] content = readLimited(request, limits.manifestBytes());
                List<String> tagParams = Request.extractQueryParameters(request).getValuesOrEmpty("tag");
                ManifestService.Pushed pushed = manifests.put(name, reference, tagParams,
                        request.getHeaders().get(HttpHeader.CONTENT_TYPE), content);
                if (!tagParams.isEmpty()) {
                    response.getHeaders().put("OCI-Tag", String.join(", ", tagParams));
                }
                audit.record(call.caller().subject(), "image.push", name + (Digest.looksLikeDigest(reference) ? "@"
                        : ":" + reference + "@") + pushed.digest(), call.remote(), "ok");
                response.setStatus(201);
                response.getHeaders().put(HttpHeader.LOCATION, "/v2/" + name + "/manifests/" + pushed.digest());
                response.getHeaders().put("Docker-Content-Digest", pushed.digest().toString());
                if (pushed.subject() != null) {
                    response.getHeaders().put("OCI-Subject", pushed.subject().toString());
                }
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                complete(response);
            }
            case "DELETE" -> {
                manifests.delete(name, reference);
                audit.record(call.caller().subject(), "image.delete",
                        name + (Digest.looksLikeDigest(reference) ? "@" : ":") + reference, call.remote(), "ok");
                response.setStatus(202);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                complete(response);
            }
            default -> throw unsupported(method);
        }
    }

    // --- the signature extension API

    private static final Pattern SIGNATURES = Pattern.compile(
            "^/extensions/v2/(" + COMPONENT + "(?:/" + COMPONENT + ")+)/signatures/([^/]+)$");

    private void signatures(String path, Request request, Response response) throws Exception {
        Matcher m = path.length() <= MAX_PATH ? SIGNATURES.matcher(path) : null;
        if (m == null || !m.matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "no such endpoint");
        }
        String name = Names.repository(m.group(1), limits);
        Digest digest = Names.digest(m.group(2));
        String method = request.getMethod();
        requireMethod(method, "GET", "PUT");
        AccessGate.Caller caller = gate.require(authorization(request), name,
                method.equals("PUT") ? Action.PUSH : Action.PULL, realm(request));
        if (method.equals("GET")) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode list = body.putArray("signatures");
            for (MetadataStore.Signature sig : signatureService.list(name, digest)) {
                ObjectNode o = list.addObject();
                o.put("schemaVersion", 2);
                o.put("name", sig.name());
                o.put("type", sig.type());
                o.put("content", sig.content());
            }
            sendJson(request, response, 200, JSON.writeValueAsBytes(body));
            return;
        }
        byte[] raw = readLimited(request, 4 * SignatureService.MAX_SIGNATURE_BYTES);
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "the signature is not JSON");
        }
        int version = body == null ? 0 : body.path("schemaVersion").asInt(body.path("version").asInt());
        if (!body.isObject() || version != 2 || !body.path("content").isTextual()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED,
                    "expected {\"schemaVersion\":2,\"type\":\"atomic\",\"name\":…,\"content\":<base64>}");
        }
        byte[] content;
        try {
            content = body.get("content").binaryValue();
        } catch (IOException e) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "content is not base64");
        }
        String sigName = body.path("name").asText(digest + "@" + content.length);
        signatureService.add(name, digest, new MetadataStore.Signature(
                sigName.length() > 256 ? sigName.substring(0, 256) : sigName, body.path("type").asText("atomic"), content));
        audit.record(caller.subject(), "signature.add", name + "@" + digest, Request.getRemoteAddr(request), "ok");
        response.setStatus(201);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    }

    // --- listings

    private void tags(String name, Request request, Response response) throws Exception {
        Fields query = Request.extractQueryParameters(request);
        int n = pageSize(query.getValue("n"));
        String last = query.getValue("last");
        List<String> page = n == 0 ? List.of() : manifests.tags(name, last, n + 1);
        if (n == 0) {
            manifests.tags(name, null, 1); // still answers NAME_UNKNOWN for a missing repository
        }
        boolean more = page.size() > n;
        List<String> shown = more ? page.subList(0, n) : page;
        ObjectNode body = JSON.createObjectNode();
        body.put("name", name);
        ArrayNode list = body.putArray("tags");
        shown.forEach(list::add);
        if (more) {
            response.getHeaders().put(HttpHeader.LINK, "</v2/" + name + "/tags/list?n=" + n + "&last="
                    + shown.get(shown.size() - 1) + ">; rel=\"next\"");
        }
        sendJson(request, response, 200, JSON.writeValueAsBytes(body));
    }

    private void catalog(Request request, Response response, java.util.function.Predicate<String> visible)
            throws Exception {
        Fields query = Request.extractQueryParameters(request);
        int n = pageSize(query.getValue("n"));
        String last = query.getValue("last");
        // Only what the caller may pull is listed; pages are filled across hidden names.
        List<String> page = new java.util.ArrayList<>();
        String cursor = last;
        while (n > 0 && page.size() <= n) {
            List<String> batch = metadata.repositories(cursor, Math.max(100, n + 1));
            for (String repo : batch) {
                if (visible.test(repo)) {
                    page.add(repo);
                    if (page.size() > n) {
                        break;
                    }
                }
            }
            if (batch.size() < Math.max(100, n + 1)) {
                break;
            }
            cursor = batch.get(batch.size() - 1);
        }
        boolean more = page.size() > n;
        List<String> shown = more ? page.subList(0, n) : page;
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("repositories");
        shown.forEach(list::add);
        if (more) {
            response.getHeaders().put(HttpHeader.LINK, "</v2/_catalog?n=" + n + "&last="
                    + shown.get(shown.size() - 1) + ">; rel=\"next\"");
        }
        sendJson(request, response, 200, JSON.writeValueAsBytes(body));
    }

    private void referrers(String name, String reference, Request request, Response response) throws Exception {
        Digest subject = Names.digest(reference);
        String artifactType = Request.extractQueryParameters(request).getValue("artifactType");
        byte[] index = manifests.referrers(name, subject, artifactType);
        if (artifactType != null) {
            response.getHeaders().put("OCI-Filters-Applied", "artifactType");
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MediaTypes.OCI_INDEX);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, index.length);
        if (request.getMethod().equals("HEAD")) {
            complete(response);
        } else {
            write(response, true, ByteBuffer.wrap(index));
        }
    }

    private int pageSize(String n) {
        if (n == null || n.isEmpty()) {
            return limits.listPageSize();
        }
        try {
            int value = Integer.parseInt(n);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return Math.min(value, limits.listPageSize());
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer");
        }
    }

    // --- request and response plumbing

    private static String authorization(Request request) {
        return request.getHeaders().get(HttpHeader.AUTHORIZATION);
    }

    /**
     * The token endpoint to announce: the configured one ({@code auth.realm}), else this listener's
     * own address as the connection's socket reports it. Never the request's Host header, which the
     * client chooses and could point at a host that collects credentials.
     */
    private String realm(Request request) {
        if (fixedRealm != null) {
            return fixedRealm;
        }
        String address = Request.getLocalAddr(request);
        String host = address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
        String scheme = request.isSecure() ? "https" : "http";
        return scheme + "://" + host + ":" + Request.getLocalPort(request) + "/token";
    }

    /** The request body, fed buffer by buffer straight from the connection. */
    private static RequestBody body(Request request) {
        long length = request.getLength();
        return new RequestBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void forEach(BufferSink sink) throws IOException {
                while (true) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        try (Blocker.Runnable blocker = Blocker.runnable()) {
                            request.demand(blocker);
                            blocker.block();
                        }
                        continue;
                    }
                    try {
                        if (Content.Chunk.isFailure(chunk)) {
                            Throwable failure = chunk.getFailure();
                            throw failure instanceof IOException io ? io : new IOException(failure);
                        }
                        ByteBuffer buffer = chunk.getByteBuffer();
                        if (buffer.hasRemaining()) {
                            sink.accept(buffer);
                        }
                        if (chunk.isLast()) {
                            return;
                        }
                    } finally {
                        chunk.release();
                    }
                }
            }
        };
    }

    /**
     * How much of a too-large body is still read (and dropped) before the refusal: clients such as
     * Java's HttpClient send the whole body before they read an answer, and a connection closed
     * under them loses the 413. Beyond this the connection is closed without reading on.
     */
    private static final int DRAIN_FACTOR = 16;

    private static byte[] readLimited(Request request, int limit) throws IOException {
        long declared = request.getLength();
        long drainLimit = (long) limit * DRAIN_FACTOR;
        if (declared > drainLimit) {
            throw new RegistryException(ErrorCode.TOO_LARGE, "manifest is larger than the limit of " + limit + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 && declared <= limit ? (int) declared : 4096);
        long[] total = {0};
        body(request).forEach(buffer -> {
            total[0] += buffer.remaining();
            if (total[0] > drainLimit) {
                throw new RegistryException(ErrorCode.TOO_LARGE, "manifest is larger than the limit of " + limit + " bytes");
            }
            if (total[0] > limit) {
                buffer.position(buffer.limit()); // dropped: the answer will be 413
                return;
            }
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            out.write(bytes);
        });
        if (total[0] > limit) {
            throw new RegistryException(ErrorCode.TOO_LARGE, "manifest is larger than the limit of " + limit + " bytes");
        }
        return out.toByteArray();
    }

    private static void write(Response response, boolean last, ByteBuffer buffer) throws IOException {
        try (Blocker.Callback blocker = Blocker.callback()) {
            response.write(last, buffer, blocker);
            blocker.block();
        }
    }

    private static void complete(Response response) {
        // The handler's callback completes the response; nothing more to write.
    }

    private static void sendJson(Request request, Response response, int status, byte[] body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (request.getMethod().equals("HEAD")) {
            return;
        }
        write(response, true, ByteBuffer.wrap(body));
    }

    private static void requireMethod(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw unsupported(method);
    }

    private static RegistryException unsupported(String method) {
        return new RegistryException(ErrorCode.UNSUPPORTED, "method " + method + " is not supported here");
    }

    /** A failure that is not one of the specification's codes. */
    private record Failure(int status, String code, String message) {
    }

    private void writeError(Request request, Response response, Callback callback, RegistryException e) {
        ErrorCode code = e.code();
        if (code.status() >= 500) {
            LOG.warn("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), e.getMessage());
        }
        ObjectNode error = JSON.createObjectNode();
        ArrayNode errors = error.putArray("errors");
        ObjectNode item = errors.addObject();
        item.put("code", code.wireCode());
        item.put("message", e.getMessage());
        if (e.detail() != null) {
            item.set("detail", JSON.valueToTree(e.detail()));
        }
        e.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        sendError(request, response, callback, code.status(), error);
    }

    private void writeError(Request request, Response response, Callback callback, Failure f) {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode item = error.putArray("errors").addObject();
        item.put("code", f.code());
        item.put("message", f.message());
        sendError(request, response, callback, f.status(), error);
    }

    private void sendError(Request request, Response response, Callback callback, int status, ObjectNode error) {
        io.slipway.registry.observe.RequestIds.stamp(error);
        if (response.isCommitted()) {
            callback.failed(new IOException("error after the answer began"));
            return;
        }
        // Keep the error headers (Range, Location) but drop anything a half-built success set.
        for (String h : List.of("Content-Length", "Content-Range", "Docker-Content-Digest", "ETag")) {
            if (!"Content-Range".equals(h) || status != 416) {
                response.getHeaders().remove(h);
            }
        }
        // An unread request body (a refused upload) cannot be reused safely on this connection.
        if (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        try {
            byte[] body = JSON.writeValueAsBytes(error);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            if (request.getMethod().equals("HEAD")) {
                callback.succeeded();
            } else {
                response.write(true, ByteBuffer.wrap(body), callback);
            }
        } catch (IOException ex) {
            callback.failed(ex);
        }
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
