package io.slipway.registry.http;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.metadata.ManifestRecord;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** {@code /v2/<name>/manifests/<reference>}: GET and HEAD (negotiated by Accept), PUT, DELETE. */
final class ManifestHandler implements RepositoryResource {
    private final ManifestService manifests;
    private final Limits limits;
    private final DistributionHandler.Audit audit;

    ManifestHandler(ManifestService manifests, Limits limits, DistributionHandler.Audit audit) {
        this.manifests = manifests;
        this.limits = limits;
        this.audit = audit;
    }

    @Override
    public void serve(Call call, Request request, Response response) throws Exception {
        String name = call.repository();
        String reference = call.reference();
        String method = request.getMethod();
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
                    throw new OciError(ErrorCode.MANIFEST_UNKNOWN, "manifest " + record.digest()
                            + " is a " + record.mediaType() + ", which the request does not accept");
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, record.mediaType());
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, record.size());
                response.getHeaders().put("Docker-Content-Digest", record.digest().toString());
                response.getHeaders().put(HttpHeader.ETAG, "\"" + record.digest() + "\"");
                if (content != null) {
                    OciExchange.write(response, true, ByteBuffer.wrap(content));
                }
            }
            case "PUT" -> {
                byte[] content = OciExchange.readLimited(request, limits.manifestBytes());
                List<String> tagParams = Request.extractQueryParameters(request).getValuesOrEmpty("tag");
                // The audit entry, and the webhook events it makes, commit with the manifest and its tags.
                ManifestService.Pushed pushed = manifests.put(name, reference, tagParams,
                        request.getHeaders().get(HttpHeader.CONTENT_TYPE), content,
                        digest -> audit.alongside(call.caller().subject(), "image.push", name
                                + (Digest.looksLikeDigest(reference) ? "@" : ":" + reference + "@") + digest,
                                call.remote(), "ok"));
                if (!tagParams.isEmpty()) {
                    response.getHeaders().put("OCI-Tag", String.join(", ", tagParams));
                }
                response.setStatus(201);
                response.getHeaders().put(HttpHeader.LOCATION, PublicUrls.location(request, "/v2/" + name + "/manifests/" + pushed.digest()));
                response.getHeaders().put("Docker-Content-Digest", pushed.digest().toString());
                if (pushed.subject() != null) {
                    response.getHeaders().put("OCI-Subject", pushed.subject().toString());
                }
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            }
            case "DELETE" -> {
                manifests.delete(name, reference, audit.alongside(call.caller().subject(), "image.delete",
                        name + (Digest.looksLikeDigest(reference) ? "@" : ":") + reference, call.remote(), "ok"));
                OciExchange.empty(response, 202);
            }
            default -> throw OciExchange.unsupported(method);
        }
    }
}
