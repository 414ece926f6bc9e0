package io.slipway.trust.policy;

import io.slipway.oci.vulnerability.Verdict;
import io.slipway.trust.Image;
import io.slipway.trust.SignerKey;
import io.slipway.trust.keys.KeyFileException;
import io.slipway.trust.policy.PolicyDecision.Reason;
import io.slipway.trust.verify.ImageSignatures;
import io.slipway.trust.verify.ImageVerifier;
import io.slipway.trust.verify.SignerKeys;
import io.slipway.trust.verify.VerificationResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether an image may be admitted (deployed, promoted) under the stored policies. Every
 * requirement of the deciding rule is evaluated, even after one has failed, so the decision lists
 * everything that is wrong at once. Any failure to find out (a key missing, the scanner or the
 * signature store failing) denies: admission fails closed.
 */
public final class ImagePolicyEvaluator {

    private final ImagePolicySet policies;
    private final SignatureSource signatures;
    private final SignerKeyResolver keys;
    private final VulnerabilityGate vulnerabilities;
    private final Clock clock;

    public ImagePolicyEvaluator(ImagePolicySet policies, SignatureSource signatures, SignerKeyResolver keys,
                                VulnerabilityGate vulnerabilities, Clock clock) {
        this.policies = Objects.requireNonNull(policies, "policies");
        this.signatures = Objects.requireNonNull(signatures, "signatures");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.vulnerabilities = Objects.requireNonNull(vulnerabilities, "vulnerabilities");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The decision for {@code image} in {@code namespace} (the namespace whose ImagePolicies apply:
     * the Kubernetes namespace of a workload, or the registry namespace of a repository).
     */
    public PolicyDecision evaluate(String namespace, Image image) {
        Optional<ImagePolicySet.Selection> selection = policies.select(namespace, image.reference());
        if (selection.isEmpty()) {
            return new PolicyDecision(image, false, null, null, List.of(new Reason("policy", false,
                    "no image policy for namespace " + namespace + " matches " + image.reference().name())));
        }
        ImagePolicy policy = selection.get().policy();
        RepositoryRule rule = selection.get().rule();
        List<Reason> reasons = new ArrayList<>();
        reasons.add(new Reason("policy", true, policy.qualifiedName() + " rule \"" + rule.pattern() + "\""
                + (rule.requirements().isEmpty() ? " admits without requirements" : " applies")));
        if (rule.requirements().trust() != null) {
            reasons.add(trust(policy, rule.requirements().trust(), image));
        }
        if (rule.requirements().vulnerability() != null) {
            reasons.add(vulnerability(rule.requirements().vulnerability(), image));
        }
        boolean allowed = reasons.stream().allMatch(Reason::satisfied);
        return new PolicyDecision(image, allowed, policy.qualifiedName(), rule.pattern().toString(), reasons);
    }

    private Reason trust(ImagePolicy policy, TrustRequirement requirement, Image image) {
        List<SignerKey> trusted = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int inline = 0;
        for (SignerKeyRef ref : requirement.signerKeys()) {
            if (ref.isInline()) {
                inline++;
                try {
                    trusted.add(SignerKeys.parse("inline key " + inline, ref.publicKey().getBytes(StandardCharsets.US_ASCII)));
                } catch (KeyFileException e) {
                    problems.add("inline key " + inline + " is unreadable: " + e.getMessage());
                }
            } else {
                Optional<SignerKey> key = keys.resolve(policy.namespace(), ref.name());
                if (key.isPresent()) {
                    trusted.add(key.get());
                } else {
                    problems.add("signer key \"" + ref.name() + "\" is not defined");
                }
            }
        }
        ImageSignatures found;
        try {
            found = signatures.signaturesOf(image);
        } catch (Exception e) {
            return new Reason("trust", false, "signatures could not be read: " + e.getMessage());
        }
        VerificationResult result = new ImageVerifier(trusted, clock).verify(image, found, requirement.signedIdentity());
        if (result.isVerified()) {
            return new Reason("trust", true, result.summary());
        }
        String names = requirement.signerKeys().stream()
                .map(r -> r.isInline() ? "an inline key" : r.name()).distinct().toList().toString();
        StringBuilder message = new StringBuilder("not signed by any of " + names + ": " + result.summary());
        problems.forEach(p -> message.append("; ").append(p));
        return new Reason("trust", false, message.toString());
    }

    private Reason vulnerability(VulnerabilityRequirement requirement, Image image) {
        String criteria = " (" + requirement.criteria().describe() + ")";
        Verdict verdict;
        try {
            verdict = vulnerabilities.check(image, requirement);
        } catch (Exception e) {
            return new Reason("vulnerability", false, "scan status could not be read: " + e.getMessage());
        }
        if (verdict == null) {
            return new Reason("vulnerability", false, "no scan status");
        }
        return switch (verdict.outcome()) {
            case PASSED -> new Reason("vulnerability", true, "scan passed" + criteria);
            case PENDING -> new Reason("vulnerability", false, "not scanned yet" + criteria
                    + (verdict.reason() == null ? "" : ": " + verdict.reason()));
            case FAILED -> {
                List<String> lines = verdict.lines();
                String issues = lines.size() + " issue" + (lines.size() == 1 ? "" : "s") + criteria + ": "
                        + String.join(", ", lines);
                yield new Reason("vulnerability", false, lines.isEmpty() ? verdict.reason() + criteria
                        : verdict.reason() == null ? issues : verdict.reason() + "; " + issues);
            }
        };
    }
}
