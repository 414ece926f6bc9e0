package io.slipway.pipeline.sign;

import io.slipway.oci.Digest;
import io.slipway.oci.client.FetchedManifest;
import io.slipway.oci.client.RegistryClient;
import io.slipway.oci.client.RegistryException;
import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.ProgressListener;
import io.slipway.trust.Image;
import io.slipway.trust.cosign.CosignSignature;
import io.slipway.trust.cosign.CosignSigner;
import io.slipway.trust.cosign.SignatureArtifact;
import io.slipway.trust.cosign.SignatureManifest;
import java.io.IOException;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;

/**
 * Signs an image in cosign's format and stores the signature as cosign does, under the tag
 * {@code sha256-<hex>.sig}. A signature already there (another signer, an earlier run) is kept:
 * the new one is appended as a layer, so signing never takes away someone else's signature.
 */
public final class SignStep {
    /** What was stored: the signature manifest's tag and digest, and how many signatures it holds now. */
    public record Result(PinnedImage image, String tag, Digest signatureManifest, int signatures) {
    }

    private final RegistryClient registry;
    private final String registryHost;
    private final Clock clock;
    private final ProgressListener progress;

    /** @param registryHost {@code host:port}, the name the signature's identity carries */
    public SignStep(RegistryClient registry, String registryHost, Clock clock, ProgressListener progress) {
        this.registry = registry;
        this.registryHost = registryHost;
        this.clock = clock;
        this.progress = progress;
    }

    public Result run(PinnedImage image, ECPrivateKey key) throws IOException {
        // Signing a digest the registry does not hold would leave a dangling signature.
        if (registry.manifestDigest(image.repository(), image.digest().toString()) == null) {
            throw new RegistryException(404, "no image " + image + " in the registry");
        }
        String identity = image.identity(registryHost);
        CosignSignature signature = new CosignSigner(key, clock).sign(Image.of(identity, image.digest()));
        String tag = image.digest().tagForm() + ".sig";
        FetchedManifest existing = registry.manifest(image.repository(), tag);
        SignatureManifest manifest = existing == null ? SignatureManifest.empty() : SignatureManifest.parse(existing.bytes());
        if (existing != null) {
            progress.line("adding to the " + manifest.signatureLayers().size() + " signature(s) already stored for " + image);
        }
        SignatureArtifact artifact = manifest.add(signature).toTagForm(image.digest());
        for (SignatureArtifact.Blob blob : artifact.blobs()) {
            registry.uploadBlob(image.repository(), blob.content());
        }
        Digest stored = registry.putManifest(image.repository(), artifact.tag(), artifact.manifest(), artifact.mediaType());
        int count = SignatureManifest.parse(artifact.manifest()).signatureLayers().size();
        progress.line("signed " + identity + " -> " + image.repository() + ":" + artifact.tag());
        return new Result(image, artifact.tag(), stored, count);
    }
}
