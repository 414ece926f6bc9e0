package io.slipway.registry.api;

import io.slipway.oci.Digest;
import io.slipway.oci.InvalidNameException;
import io.slipway.oci.Reference;
import io.slipway.oci.RepositoryName;
import io.slipway.registry.config.RegistryNames;
import io.slipway.registry.tenancy.TenancyException;
import java.util.function.Supplier;

/**
 * An image as the management API and CLI write it: {@code [host/]ns/repo[:tag][@digest]}, parsed by
 * oci-core's {@link Reference}. The host is kept: a reference naming another registry does not name
 * an image of this one, so it is refused rather than read as this registry's {@code ns/repo}.
 */
public record ImageName(String registry, String repository, String tag, Digest digest) {

    public static ImageName parse(String text, Supplier<RegistryNames> names) {
        if (text == null || text.isBlank()) {
            throw TenancyException.invalid("an image is required (ns/repo:tag or ns/repo@sha256:…)");
        }
        Reference ref;
        try {
            ref = Reference.parse(text.trim());
        } catch (InvalidNameException e) {
            throw TenancyException.invalid(e.getMessage());
        }
        String problem = RepositoryName.problem(ref.repository(), RepositoryName.DEFAULT_MAX_LENGTH);
        if (problem != null) {
            throw TenancyException.invalid(problem);
        }
        if (ref.registry() != null) {
            RegistryNames own = names.get();
            if (!own.isOwn(ref.registry())) {
                throw TenancyException.invalid("image " + ref + " is in registry " + ref.registry()
                        + ", not this one (this registry is " + own + ")");
            }
        }
        String tag = ref.tag() == null && ref.digest() == null ? "latest" : ref.tag();
        return new ImageName(ref.registry(), ref.repository(), tag, ref.digest());
    }

    /** The reference the distribution services take: the digest when given, else the tag. */
    public String reference() {
        return digest != null ? digest.toString() : tag;
    }

    @Override
    public String toString() {
        return (registry != null ? registry + "/" : "") + repository + (tag != null ? ":" + tag : "")
                + (digest != null ? "@" + digest : "");
    }
}
