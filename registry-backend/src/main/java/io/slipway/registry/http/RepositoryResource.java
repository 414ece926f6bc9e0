package io.slipway.registry.http;

import io.slipway.registry.auth.AccessGate;
import io.slipway.registry.tenancy.Role.Action;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One resource under a repository ({@code /v2/<name>/…} or the signature extension). The router
 * asks {@link #action} what a request needs, has the gate decide, then calls {@link #serve}.
 */
interface RepositoryResource {

    /** The per-request facts a resource needs besides the request itself. */
    record Call(String repository, String reference, AccessGate.Caller caller, String remote) {
    }

    /**
     * What the caller must be allowed on the repository for this method and reference. A resource
     * that refuses a method or reference before access is decided throws here.
     */
    Action action(String method, String reference);

    /** The action of a resource that is read, written (PUT) and deleted: blobs and manifests. */
    static Action readWriteDelete(String method) {
        return method.equals("DELETE") ? Action.DELETE : method.equals("PUT") ? Action.PUSH : Action.PULL;
    }

    /** Answers an authorized request; a refusal is an {@code OciError}. */
    void serve(Call call, Request request, Response response) throws Exception;
}
