package io.slipway.registry.http;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.Names;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** {@code /v2/<name>/referrers/<digest>}: the index of the manifests whose subject is the digest. */
final class ReferrerHandler implements RepositoryResource {
    private final ManifestService manifests;

    ReferrerHandler(ManifestService manifests) {
        this.manifests = manifests;
    }

    @Override
    public void serve(Call call, Request request, Response response) throws Exception {
        OciExchange.requireMethod(request.getMethod(), "GET");
        Digest subject = Names.digest(call.reference());
        String artifactType = Request.extractQueryParameters(request).getValue("artifactType");
        byte[] index = manifests.referrers(call.repository(), subject, artifactType);
        if (artifactType != null) {
            response.getHeaders().put("OCI-Filters-Applied", "artifactType");
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MediaTypes.OCI_INDEX);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, index.length);
        OciExchange.write(response, true, ByteBuffer.wrap(index));
    }
}
