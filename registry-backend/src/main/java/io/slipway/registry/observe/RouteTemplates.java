package io.slipway.registry.observe;

import java.util.Set;

/**
 * The route a request path belongs to, as a template ({@code /v2/{name}/manifests/{reference}}):
 * the one label metrics and request logs use for "which endpoint". A template never carries a
 * repository name, tag, digest, upload id or object name, so the number of label values stays
 * bounded whatever clients send; anything unknown is {@code other}.
 */
public final class RouteTemplates {
    private static final Set<String> EXACT = Set.of("/v2/", "/v2/_catalog", "/token", "/healthz", "/readyz", "/metrics",
            "/admission/v1/validate", "/admission/v1/mutate");
    /** First segments of the management API, under {@code /api/v1/}. */
    private static final Set<String> API = Set.of("whoami", "accounts", "namespaces", "users", "service-ids", "principals",
            "api-keys", "policies", "images", "va", "image-policies", "signer-keys", "policy", "exemptions", "audit",
            "webhooks", "webhook-deliveries");
    /** Fixed deeper management paths; any other second segment is an object's name or id. */
    private static final Set<String> API_FIXED = Set.of("images/inspect", "images/tag", "va/db", "va/db/import",
            "policy/check");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private RouteTemplates() {
    }

    public static String of(String path) {
        if (path == null || path.isEmpty()) {
            return "other";
        }
        if (EXACT.contains(path)) {
            return path;
        }
        if (path.equals("/v2")) {
            return "/v2/";
        }
        if (path.startsWith("/v2/")) {
            return registry(path);
        }
        if (path.startsWith("/extensions/v2/")) {
            return path.indexOf("/signatures/") > 0 ? "/extensions/v2/{name}/signatures/{digest}" : "other";
        }
        if (path.startsWith("/api/v1/")) {
            return management(path.substring("/api/v1/".length()));
        }
        return "other";
    }

    /** The method as a label: one of the HTTP methods the registry knows, else {@code other}. */
    public static String method(String method) {
        return METHODS.contains(method) ? method : "other";
    }

    private static String registry(String path) {
        int uploads = path.lastIndexOf("/blobs/uploads/");
        if (uploads > 3) {
            return path.length() == uploads + "/blobs/uploads/".length() ? "/v2/{name}/blobs/uploads/"
                    : "/v2/{name}/blobs/uploads/{uuid}";
        }
        if (path.endsWith("/tags/list")) {
            return "/v2/{name}/tags/list";
        }
        int manifests = path.lastIndexOf("/manifests/");
        int blobs = path.lastIndexOf("/blobs/");
        int referrers = path.lastIndexOf("/referrers/");
        int last = Math.max(manifests, Math.max(blobs, referrers));
        if (last <= 3) {
            return "other";
        }
        if (last == manifests) {
            return "/v2/{name}/manifests/{reference}";
        }
        return last == blobs ? "/v2/{name}/blobs/{digest}" : "/v2/{name}/referrers/{digest}";
    }

    private static String management(String rest) {
        String[] segments = rest.split("/", -1);
        if (!API.contains(segments[0])) {
            return "other";
        }
        if (segments.length == 1) {
            return "/api/v1/" + segments[0];
        }
        if (API_FIXED.contains(rest)) {
            return "/api/v1/" + rest;
        }
        return segments.length == 2 && !segments[1].isEmpty() ? "/api/v1/" + segments[0] + "/{name}" : "other";
    }
}
