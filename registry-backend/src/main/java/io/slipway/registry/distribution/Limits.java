package io.slipway.registry.distribution;

import java.time.Duration;

/**
 * Size limits the registry enforces, all configurable.
 *
 * @param manifestBytes  largest manifest accepted (the specification's 4 MiB by default)
 * @param nameLength     longest repository name
 * @param uploadBytes    largest blob an upload may grow to
 * @param chunkBytes     largest single PATCH (0: no limit beyond {@code uploadBytes})
 * @param uploadLifetime how long an abandoned upload is kept before it is purged
 * @param listPageSize   most entries a tag or catalog page holds
 * @param sparseManifests accept manifests whose layers or child manifests are not (yet) in the
 *                       repository, as the distribution specification allows (its conformance
 *                       suite has a "sparse manifests" data type); off by default, so that every
 *                       image the registry accepts can be pulled whole
 * @param uploadsPerPrincipal most uploads one principal may have open at once (0: no limit)
 * @param uploadsPerRepository most uploads open at once in one repository (0: no limit)
 */
public record Limits(
        int manifestBytes, int nameLength, long uploadBytes, long chunkBytes, Duration uploadLifetime,
        int listPageSize, boolean sparseManifests, int uploadsPerPrincipal, int uploadsPerRepository) {

    public static final int DEFAULT_UPLOADS_PER_PRINCIPAL = 256;
    public static final int DEFAULT_UPLOADS_PER_REPOSITORY = 1024;

    public Limits(int manifestBytes, int nameLength, long uploadBytes, long chunkBytes, Duration uploadLifetime,
            int listPageSize, boolean sparseManifests) {
        this(manifestBytes, nameLength, uploadBytes, chunkBytes, uploadLifetime, listPageSize, sparseManifests,
                DEFAULT_UPLOADS_PER_PRINCIPAL, DEFAULT_UPLOADS_PER_REPOSITORY);
    }

    /** Most tags one manifest push may set with {@code ?tag=}. */
    public static final int MAX_TAGS_PER_PUSH = 100;

    public Limits(int manifestBytes, int nameLength, long uploadBytes, long chunkBytes, Duration uploadLifetime,
            int listPageSize) {
        this(manifestBytes, nameLength, uploadBytes, chunkBytes, uploadLifetime, listPageSize, false);
    }

    public static Limits defaults() {
        return new Limits(4 * 1024 * 1024, 255, 64L * 1024 * 1024 * 1024, 0, Duration.ofHours(24), 10_000, false,
                DEFAULT_UPLOADS_PER_PRINCIPAL, DEFAULT_UPLOADS_PER_REPOSITORY);
    }
}
