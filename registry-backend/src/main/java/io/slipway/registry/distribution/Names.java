package io.slipway.registry.distribution;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.oci.InvalidDigestException;
import io.slipway.oci.RepositoryName;

/** Turns request text into checked names and digests, or the OCI error the specification gives. */
public final class Names {
    private Names() {
    }

    public static String repository(String name, Limits limits) {
        String problem = RepositoryName.problem(name, limits.nameLength());
        if (problem != null) {
            throw new OciError(ErrorCode.NAME_INVALID, problem);
        }
        return name;
    }

    /** The name when it is valid, else null (for parameters where a bad name is not an error). */
    public static String repositoryOrNull(String name, Limits limits) {
        return RepositoryName.problem(name, limits.nameLength()) == null ? name : null;
    }

    public static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (InvalidDigestException e) {
            throw new OciError(ErrorCode.DIGEST_INVALID, e.getMessage());
        }
    }
}
