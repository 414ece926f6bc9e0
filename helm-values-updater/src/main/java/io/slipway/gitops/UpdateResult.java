package io.slipway.gitops;

import io.slipway.helm.render.RenderedImage;
import io.slipway.helm.values.ImageUpdate;
import io.slipway.helm.values.ValueChange;
import java.util.List;

/**
 * What an update did.
 *
 * @param status   {@link Status#PUSHED}, or {@link Status#UNCHANGED} when the values already held the
 *                 images (no commit was made)
 * @param commit   the pushed commit, or the branch head that already had the images
 * @param branch   the branch pushed to (the pull-request branch in pull-request mode)
 * @param attempts pushes tried; more than one means the branch moved and the edit was re-applied
 * @param changes  the values changed by the pushed commit
 * @param rendered the container images the chart rendered (empty when the render check was skipped)
 * @param images   each image and the keys it was written to (found, marked or named)
 */
public record UpdateResult(Status status, String commit, String branch, int attempts,
                           List<ValueChange> changes, List<RenderedImage> rendered, List<ImageUpdate> images) {
    public enum Status {
        PUSHED,
        UNCHANGED
    }

    public boolean pushed() {
        return status == Status.PUSHED;
    }
}
