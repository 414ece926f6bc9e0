package io.slipway.registry.signatures;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.metadata.MetadataStore.Signature;
import java.util.List;

/**
 * The signature extension API's store (what skopeo and podman use with
 * {@code X-Registry-Supports-Signatures: 1}): opaque signatures attached to a manifest of a
 * repository. The registry keeps them, it does not judge them; verification is the reader's.
 */
public final class SignatureService {
    /** Limits that keep a repository's signatures a list, not a data store. */
    public static final int MAX_SIGNATURE_BYTES = 64 * 1024;
    public static final int MAX_SIGNATURES = 64;

    private final MetadataStore metadata;

    public SignatureService(MetadataStore metadata) {
        this.metadata = metadata;
    }

    public List<Signature> list(String repository, Digest manifest) {
        return metadata.signatures(repository, manifest);
    }

    /** Adds a signature to a manifest that exists; adding the same bytes twice keeps one. */
    public void add(String repository, Digest manifest, Signature signature) {
        if (metadata.manifest(repository, manifest).isEmpty()) {
            throw new OciError(ErrorCode.MANIFEST_UNKNOWN, "manifest " + manifest + " is not in " + repository);
        }
        if (signature.content().length == 0 || signature.content().length > MAX_SIGNATURE_BYTES) {
            throw new OciError(ErrorCode.SIZE_INVALID, "a signature holds 1 to " + MAX_SIGNATURE_BYTES + " bytes");
        }
        if (!"atomic".equals(signature.type())) {
            throw new OciError(ErrorCode.UNSUPPORTED, "only \"atomic\" signatures are stored");
        }
        if (metadata.signatures(repository, manifest).size() >= MAX_SIGNATURES) {
            throw new OciError(ErrorCode.DENIED, "manifest " + manifest + " already has " + MAX_SIGNATURES
                    + " signatures");
        }
        metadata.addSignature(repository, manifest, signature);
    }

    /** Copies every signature of a manifest to another repository (server-side tagging). */
    public void copy(String source, Digest manifest, String target) {
        for (Signature s : metadata.signatures(source, manifest)) {
            metadata.addSignature(target, manifest, s);
        }
    }
}
