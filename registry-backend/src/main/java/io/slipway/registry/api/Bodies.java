package io.slipway.registry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.registry.tenancy.TenancyException;

/** The management API's JSON: one mapper, and the fields requests carry. */
final class Bodies {
    static final ObjectMapper JSON = new ObjectMapper();

    private Bodies() {
    }

    /** A string field of the body; INVALID when required and absent, or present and not a string. */
    static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw TenancyException.invalid(field + " is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw TenancyException.invalid(field + " must be a string");
        }
        return v.textValue();
    }
}
