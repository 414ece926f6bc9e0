package io.slipway.pipeline.sign;

import io.slipway.oci.client.FetchedManifest;
import io.slipway.oci.client.RegistryClient;
import io.slipway.pipeline.PinnedImage;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignerKey;
import io.slipway.trust.cosign.CosignSignature;
import io.slipway.trust.cosign.SignatureManifest;
import io.slipway.trust.verify.ImageSignatures;
import io.slipway.trust.verify.ImageVerifier;
import io.slipway.trust.verify.VerificationResult;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * Fetches the signatures stored for an image — cosign's ({@code sha256-<hex>.sig}) and simple
 * signing's (extension API) — and checks them with the trust module against the given keys; the
 * decision is trust's, this step only fetches.
 */
public final class VerifyStep {
    private final RegistryClient registry;
    private final String registryHost;
    private final Clock clock;

    public VerifyStep(RegistryClient registry, String registryHost, Clock clock) {
        this.registry = registry;
        this.registryHost = registryHost;
        this.clock = clock;
    }

    public VerificationResult run(PinnedImage image, List<SignerKey> keys) throws IOException {
        FetchedManifest stored = registry.manifest(image.repository(), image.digest().tagForm() + ".sig");
        List<CosignSignature> signatures = stored == null ? List.of()
                : SignatureManifest.parse(stored.bytes()).signatures(d -> registry.blob(image.repository(), d.digest()));
        Image subject = Image.of(image.identity(registryHost), image.digest());
        List<byte[]> simple = registry.simpleSignatures(image.repository(), image.digest());
        return new ImageVerifier(keys, clock).verify(subject, new ImageSignatures(signatures, simple),
                IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
    }
}
