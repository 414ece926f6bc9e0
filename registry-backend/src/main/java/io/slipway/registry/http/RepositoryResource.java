package io.slipway.registry.http;

import io.slipway.registry.auth.AccessGate;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One resource under a repository ({@code /v2/<name>/…} or the signature extension). The router
 * has the gate decide what the request needs ({@link DistributionRoute.Resource#action}), then
 * calls {@link #serve}.
 */
interface RepositoryResource {

    /** The per-request facts a resource needs besides the request itself. */
    record Call(String repository, String reference, AccessGate.Caller caller, String remote) {
    }

    /**
     * Refuses, before access is decided, a request the resource never serves (the signature
     * extension checks its digest and method first); most resources refuse nothing here.
     */
    default void precheck(String method, String reference) {
    }

    /** Answers an authorized request; a refusal is an {@code OciError}. */
    void serve(Call call, Request request, Response response) throws Exception;
}
