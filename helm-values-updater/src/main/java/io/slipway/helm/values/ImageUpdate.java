package io.slipway.helm.values;

import io.slipway.oci.Reference;

/**
 * One image to write: the reference, where the chart keeps it, and a name for it when a file holds
 * several images (the alias a pipeline and a commit message use, e.g. {@code api}, {@code worker}).
 */
public record ImageUpdate(String alias, Reference reference, ImageShape shape) {
    public static ImageUpdate of(Reference reference) {
        return new ImageUpdate("image", reference, ImageShape.split("image"));
    }
}
