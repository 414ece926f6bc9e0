package io.slipway.helm.render;

import io.slipway.oci.Reference;
import java.util.Objects;

/**
 * Whether a rendered image is the reference that was written. A digest, when written, must be
 * rendered; the tag must match, except that a chart may drop the tag of a pinned reference
 * (rendering {@code repo@sha256:…} for {@code repo:1.2@sha256:…} pulls the same bytes).
 */
final class ImageMatch {
    private ImageMatch() {
    }

    static boolean matches(Reference written, Reference rendered) {
        if (!written.sameRepository(rendered)) {
            return false;
        }
        if (written.digest() != null) {
            return written.digest().equals(rendered.digest())
                    && (rendered.tag() == null || Objects.equals(rendered.tag(), written.tag()));
        }
        return rendered.digest() == null && Objects.equals(effectiveTag(written), effectiveTag(rendered));
    }

    private static String effectiveTag(Reference ref) {
        return ref.tag() == null ? "latest" : ref.tag();
    }
}
