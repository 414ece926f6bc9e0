package io.slipway.registry.enforcement;

import io.slipway.oci.Digest;
import io.slipway.oci.Reference;
import io.slipway.registry.config.RegistryNames;
import io.slipway.trust.DockerReference;
import io.slipway.trust.Image;
import io.slipway.trust.policy.ImagePolicyEvaluator;
import io.slipway.trust.policy.PolicyDecision;
import io.slipway.trust.policy.RepositoryPattern;
import io.slipway.trust.policy.SignatureSource;
import io.slipway.trust.policy.VulnerabilityGate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The judgement of an image another registry serves (its host is none of this registry's names;
 * a reference without a host is Docker Hub's, as the kubelet reads it). This registry holds neither
 * its manifests, nor its signatures, nor a scan of it, so it is denied unless:
 * <ul>
 * <li>the rule of the namespace's policies that matches it names its registry host explicitly
 *     ({@code quay.example/team/*}; a wildcard such as {@code *} never admits another registry), and</li>
 * <li>that rule's requirements can be checked here: a trust or vulnerability requirement cannot
 *     (the signatures and the scan are not here), so such a rule denies, saying so; and</li>
 * <li>the reference carries a digest: a tag there cannot be resolved here, so what would run could
 *     not be known, nor pinned.</li>
 * </ul>
 */
final class ForeignImages {
    private static final Digest UNKNOWN = Digest.sha256("");

    private final RegistryNames own;

    ForeignImages(RegistryNames own) {
        this.own = own;
    }

    PolicyDecision check(String namespace, Reference ref,
            BiFunction<SignatureSource, VulnerabilityGate, ImagePolicyEvaluator> evaluators) {
        DockerReference name = DockerReference.of(ref);
        String host = name.domain();
        Image image = new Image(name, ref.digest() == null ? UNKNOWN : ref.digest());
        String elsewhere = "image " + ref + " is in registry " + host + ", not this one (" + own + ")";
        SignatureSource noSignatures = img -> {
            throw new IOException("this registry cannot read the signatures of an image in " + host);
        };
        VulnerabilityGate noScan = (img, requirement) -> {
            throw new IOException("this registry does not scan images in " + host);
        };
        PolicyDecision evaluated = evaluators.apply(noSignatures, noScan).evaluate(namespace, image);
        if (evaluated.policy() == null) {
            return denied(image, "registry", elsewhere + ", and no image policy for namespace " + namespace
                    + " names " + host);
        }
        if (!new RepositoryPattern(evaluated.pattern()).namesHost(host)) {
            return new PolicyDecision(image, false, evaluated.policy(), evaluated.pattern(), List.of(
                    new PolicyDecision.Reason("registry", false, elsewhere + ": the matching rule \"" + evaluated.pattern()
                            + "\" does not name " + host + " (a rule admits another registry only by its host, e.g. "
                            + host + "/team/*)")));
        }
        List<PolicyDecision.Reason> reasons = new ArrayList<>(evaluated.reasons());
        if (ref.digest() == null) {
            reasons.add(new PolicyDecision.Reason("digest", false, elsewhere + ": its tag cannot be resolved here to the"
                    + " digest that would run; reference it by digest"));
        }
        boolean allowed = reasons.stream().allMatch(PolicyDecision.Reason::satisfied);
        return new PolicyDecision(image, allowed, evaluated.policy(), evaluated.pattern(), reasons);
    }

    /** A denial for one reason, before any policy was consulted. */
    static PolicyDecision denied(Image image, String requirement, String message) {
        return new PolicyDecision(image, false, null, null, List.of(new PolicyDecision.Reason(requirement, false, message)));
    }
}
