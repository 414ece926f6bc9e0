package io.slipway.registry.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.io.InputStream;
import java.util.function.Function;

/**
 * One route of the management API: a method, a path under {@code /api/v1} (ending in
 * {@code /{name}} when the last segment names an object) and the operation that answers it.
 * Each area of the API ({@link ManagementArea}) declares its routes; the HTTP router serves
 * exactly these.
 */
public record ManagementRoute(String method, String path, boolean streamed, Operation operation) {

    /** The marker of a path's last segment that names an object. */
    public static final String NAME = "{name}";

    @FunctionalInterface
    public interface Operation {
        JsonNode run(Call call) throws Exception;
    }

    /**
     * What a route is called with: the authenticated caller, the query, the JSON body (of POST and
     * PATCH), the raw body (of a streamed route) and the name of a {@code /{name}} path.
     */
    public record Call(Principal caller, Function<String, String> query, JsonNode body, InputStream stream,
            String name) {

        public String query(String key) {
            return query.apply(key);
        }

        public boolean flag(String key) {
            return "true".equals(query(key));
        }

        public int number(String key, int otherwise) {
            return parseInt(query(key), otherwise);
        }

        /** The named object's numeric id, -1 (no such object) when it is not a number. */
        public int id() {
            return parseInt(name, -1);
        }

        private static int parseInt(String s, int otherwise) {
            try {
                return s == null ? otherwise : Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw TenancyException.invalid("not a number: " + s);
            }
        }
    }

    /** A route answered from the query and a JSON body. */
    public static ManagementRoute route(String method, String path, Operation operation) {
        return new ManagementRoute(method, path, false, operation);
    }

    /** A route whose body is a file, streamed to the operation rather than read as JSON. */
    public static ManagementRoute streamed(String method, String path, Operation operation) {
        return new ManagementRoute(method, path, true, operation);
    }

    /** The route as the access matrix names it: {@code METHOD /path}. */
    public String key() {
        return method + " " + path;
    }
}
