package io.slipway.registry.api;

import io.slipway.oci.Digest;
import io.slipway.oci.RepositoryName;
import io.slipway.oci.Tag;
import io.slipway.registry.tenancy.TenancyException;

/**
 * An image as the management API and CLI write it: {@code [host/]ns/repo[:tag][@digest]}. A first
 * component with a dot or a colon, or {@code localhost}, is a registry host and is dropped.
 */
record ImageName(String repository, String tag, Digest digest) {

    static ImageName parse(String text) {
        if (text == null || text.isBlank()) {
            throw TenancyException.invalid("an image is required (ns/repo:tag or ns/repo@sha256:…)");
        }
        String rest = text.trim();
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw TenancyException.invalid(e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!Tag.isValid(tag)) {
                throw TenancyException.invalid("invalid tag \"" + tag + "\"");
            }
        }
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                rest = rest.substring(slash + 1);
            }
        }
        String problem = RepositoryName.problem(rest, RepositoryName.DEFAULT_MAX_LENGTH);
        if (problem != null) {
            throw TenancyException.invalid(problem);
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageName(rest, tag, digest);
    }

    /** The reference the distribution services take: the digest when given, else the tag. */
    String reference() {
        return digest != null ? digest.toString() : tag;
    }

    @Override
    public String toString() {
        return repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
