package io.slipway.registry.http;

import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.Limits;
import io.slipway.registry.distribution.Names;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.tenancy.Role.Action;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A path of the OCI Distribution API (and the signature extension) parsed once: the repository
 * name (checked against its grammar and the limits), the resource, and the rest of the path (a
 * digest, a tag or an upload id; empty where the resource has none).
 */
record DistributionRoute(String name, Resource resource, String reference) {

    /** The resources of the API, one handler each. */
    enum Resource {
        BASE, CATALOG, BLOBS, UPLOADS, MANIFESTS, TAGS, REFERRERS, SIGNATURES;

        /** What a caller must be allowed on the repository to call {@code method} on a repository's resource. */
        Action action(String method) {
            return switch (this) {
                case UPLOADS -> Action.PUSH;
                case BLOBS, MANIFESTS -> method.equals("DELETE") ? Action.DELETE
                        : method.equals("PUT") ? Action.PUSH : Action.PULL;
                case SIGNATURES -> method.equals("PUT") ? Action.PUSH : Action.PULL;
                case TAGS, REFERRERS -> Action.PULL;
                case BASE, CATALOG -> throw new IllegalStateException(this + " is not a repository's resource");
            };
        }
    }

    // /v2/<name>/(blobs|manifests|tags|referrers|blobs/uploads)/<rest>. A name component may
    // itself be "blobs" or "manifests", so the name is matched by its own grammar, longest first,
    // as the reference registry's router does; a path with no valid name falls to NAME_INVALID.
    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern ROUTE = Pattern.compile(
            "^/v2/(" + COMPONENT + "(?:/" + COMPONENT + ")+)/(blobs/uploads/?|blobs/|manifests/|tags/list$|referrers/)(.*)$");
    private static final Pattern LOOSE_ROUTE = Pattern.compile(
            "^/v2/(.+?)/(blobs/uploads/?|blobs/|manifests/|tags/list$|referrers/)(.*)$");
    private static final Pattern SIGNATURES = Pattern.compile(
            "^/extensions/v2/(" + COMPONENT + "(?:/" + COMPONENT + ")+)/signatures/([^/]+)$");
    private static final int MAX_PATH = 4096;

    /** Whether this handler answers the path at all. */
    static boolean served(String path) {
        return path != null && (path.equals("/v2") || path.startsWith("/v2/") || path.startsWith("/extensions/v2/"));
    }

    /** The route of a served path, or NAME_INVALID ("no such endpoint", or what is wrong with the name). */
    static DistributionRoute parse(String path, Limits limits) {
        boolean tooLong = path.length() > MAX_PATH;
        if (path.startsWith("/extensions/v2/")) {
            Matcher m = tooLong ? null : SIGNATURES.matcher(path);
            if (m == null || !m.matches()) {
                throw noSuchEndpoint();
            }
            return new DistributionRoute(Names.repository(m.group(1), limits), Resource.SIGNATURES, m.group(2));
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            return new DistributionRoute("", Resource.BASE, "");
        }
        if (path.equals("/v2/_catalog")) {
            return new DistributionRoute("", Resource.CATALOG, "");
        }
        Matcher m = tooLong ? null : ROUTE.matcher(path);
        if (m == null || !m.matches()) {
            // Say what is wrong with the name when the path has the shape of a route.
            Matcher loose = LOOSE_ROUTE.matcher(tooLong ? "" : path);
            if (loose.matches()) {
                Names.repository(loose.group(1), limits);
            }
            throw noSuchEndpoint();
        }
        Resource resource = switch (m.group(2)) {
            case "blobs/uploads", "blobs/uploads/" -> Resource.UPLOADS;
            case "blobs/" -> Resource.BLOBS;
            case "manifests/" -> Resource.MANIFESTS;
            case "tags/list" -> Resource.TAGS;
            case "referrers/" -> Resource.REFERRERS;
            default -> throw noSuchEndpoint();
        };
        return new DistributionRoute(Names.repository(m.group(1), limits), resource, m.group(3));
    }

    private static OciError noSuchEndpoint() {
        return new OciError(ErrorCode.NAME_INVALID, "no such endpoint");
    }
}
