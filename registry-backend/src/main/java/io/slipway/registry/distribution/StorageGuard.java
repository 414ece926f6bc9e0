package io.slipway.registry.distribution;

import io.slipway.oci.Digest;
import java.util.List;

/**
 * What the storage lifecycle ({@code io.slipway.registry.lifecycle}) may refuse before the
 * distribution services change anything: a tag that must not move or go, bytes over an account's
 * storage quota, a pull over its traffic quota. Each method returns when the change is allowed and
 * throws a {@link Refusal} ({@code DENIED}, naming the rule or the quota) when it is not; the
 * registry API writes every such refusal to the audit log.
 * The services hold {@link #NONE} until the registry gives them the real one.
 */
public interface StorageGuard {
    StorageGuard NONE = new StorageGuard() {
    };

    /** A change the lifecycle refuses (an immutable tag, a quota): {@code DENIED}, and audited. */
    final class Refusal extends OciError {
        public Refusal(String message) {
            super(io.slipway.oci.ErrorCode.DENIED, message);
        }
    }

    /** Before every one of {@code tags} of {@code repository} points at {@code digest}. */
    default void beforeTagging(String repository, List<String> tags, Digest digest) {
    }

    /** Before {@code tag} is removed from {@code repository}. */
    default void beforeUntagging(String repository, String tag) {
    }

    /** Before the manifest (and with it every tag pointing at it) is removed from {@code repository}. */
    default void beforeManifestDelete(String repository, Digest digest) {
    }

    /**
     * Before {@code bytes} more are stored for {@code repository}; {@code digest} when the content
     * is known (bytes the account already holds cost nothing), else null.
     */
    default void beforeStoring(String repository, Digest digest, long bytes) {
    }

    /**
     * Before a manifest's own {@code bytes} are stored: {@link #beforeStoring}, and garbage
     * collection then counts the digest among the manifests it frees rather than the blobs.
     */
    default void beforeStoringManifest(String repository, Digest digest, long bytes) {
        beforeStoring(repository, digest, bytes);
    }

    /** Before a manifest push or copy relies on {@code digests} (its blobs, children or itself) being kept. */
    default void beforeReferencing(String repository, List<Digest> digests) {
    }

    /** Before a blob of {@code bytes} is sent from {@code repository}; counts the traffic. */
    default void beforePull(String repository, long bytes) {
    }
}
