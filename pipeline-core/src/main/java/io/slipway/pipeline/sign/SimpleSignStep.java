package io.slipway.pipeline.sign;

import io.slipway.oci.Digest;
import io.slipway.oci.client.RegistryClient;
import io.slipway.oci.client.RegistryException;
import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.ProgressListener;
import io.slipway.trust.Image;
import io.slipway.trust.simplesigning.SimpleSigningSigner;
import java.io.IOException;

/**
 * Signs an image with Red Hat simple signing (OpenPGP), for clusters whose policy is
 * containers/image's {@code signedBy}; the signature goes through the registry's signature
 * extension API, where skopeo and podman look for it.
 */
public final class SimpleSignStep {
    /** What was stored: the signature's name and the signing key's fingerprint. */
    public record Result(PinnedImage image, String name, String fingerprint) {
    }

    private final RegistryClient registry;
    private final String registryHost;
    private final ProgressListener progress;

    public SimpleSignStep(RegistryClient registry, String registryHost, ProgressListener progress) {
        this.registry = registry;
        this.registryHost = registryHost;
        this.progress = progress;
    }

    public Result run(PinnedImage image, SimpleSigningSigner signer) throws IOException {
        if (registry.manifestDigest(image.repository(), image.digest().toString()) == null) {
            throw new RegistryException(404, "no image " + image + " in the registry");
        }
        String identity = image.identity(registryHost);
        byte[] message = signer.sign(Image.of(identity, image.digest()));
        // Named by content, so signing twice with the same key and second stores one signature per message.
        String name = image.digest() + "@" + Digest.sha256(message).hex().substring(0, 32);
        registry.putSimpleSignature(image.repository(), image.digest(), name, message);
        progress.line("signed " + identity + " with OpenPGP key " + signer.fingerprint());
        return new Result(image, name, signer.fingerprint());
    }
}
