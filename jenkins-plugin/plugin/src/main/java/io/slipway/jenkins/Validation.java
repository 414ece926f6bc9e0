package io.slipway.jenkins;

import hudson.util.FormValidation;
import io.slipway.pipeline.Durations;
import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.build.BuildStep;
import io.slipway.oci.vulnerability.Severity;
import java.util.function.Consumer;

/**
 * The form checks of the Snippet Generator. Each is the parse the step itself does at run time,
 * so the form and the build refuse the same input with the same words.
 */
final class Validation {
    private Validation() {
    }

    static FormValidation registryUrl(String value) {
        return plainHttpWarning(value, check(value, true, v -> new RegistryAccess(v, null, null)));
    }

    /** A registry that may be left out (the enclosing withSlipwayRegistry gives it). */
    static FormValidation optionalRegistryUrl(String value) {
        return plainHttpWarning(value, check(value, false, v -> new RegistryAccess(v, null, null)));
    }

    /** The steps refuse to send credentials over plain HTTP to anything but this machine. */
    private static FormValidation plainHttpWarning(String value, FormValidation checked) {
        if (checked.kind == FormValidation.Kind.OK && value != null && value.trim().startsWith("http://")
                && !new RegistryAccess(value.trim(), null, null).isLoopbackHttp()) {
            return FormValidation.warning("plain HTTP: the steps send no credentials there (only to this machine: " + RegistryAccess.LOOPBACK_HOSTS + "); use https://");
        }
        return checked;
    }

    static FormValidation pinnedImage(String value) {
        return check(value, true, PinnedImage::parse);
    }

    static FormValidation buildTarget(String value) {
        return check(value, true, BuildStep::target);
    }

    static FormValidation severity(String value) {
        return check(value, false, Severity::threshold);
    }

    static FormValidation duration(String value) {
        return check(value, false, Durations::parse);
    }

    static FormValidation required(String value, String what) {
        return value == null || value.isBlank() ? FormValidation.error(what + " is required") : FormValidation.ok();
    }

    private static FormValidation check(String value, boolean required, Consumer<String> parse) {
        if (value == null || value.isBlank()) {
            return required ? FormValidation.error("required") : FormValidation.ok();
        }
        if (value.contains("${")) {
            return FormValidation.ok(); // a Groovy interpolation: known at run time only
        }
        try {
            parse.accept(value.trim());
            return FormValidation.ok();
        } catch (IllegalArgumentException e) {
            return FormValidation.error(e.getMessage());
        }
    }
}
