package io.slipway.registry.enforcement;

import io.slipway.oci.Digest;
import io.slipway.oci.Reference;
import io.slipway.oci.RepositoryName;
import io.slipway.oci.vulnerability.Verdict;
import io.slipway.oci.vulnerability.VulnerabilityJudge;
import io.slipway.registry.config.RegistryNames;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.scan.Exemptions;
import io.slipway.registry.scan.ScanResult;
import io.slipway.registry.scan.ScanService;
import io.slipway.registry.storage.BlobStore;
import io.slipway.trust.DockerReference;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.Image;
import io.slipway.trust.SignerKey;
import io.slipway.trust.cosign.CosignSignature;
import io.slipway.trust.cosign.SignatureManifest;
import io.slipway.trust.policy.ImagePolicy;
import io.slipway.trust.policy.ImagePolicyEvaluator;
import io.slipway.trust.policy.ImagePolicyParser;
import io.slipway.trust.policy.ImagePolicySet;
import io.slipway.trust.policy.PolicyDecision;
import io.slipway.trust.policy.SignatureSource;
import io.slipway.trust.policy.VulnerabilityGate;
import io.slipway.trust.policy.VulnerabilityRequirement;
import io.slipway.trust.verify.ImageSignatures;
import io.slipway.trust.verify.ImageVerifier;
import io.slipway.trust.verify.VerificationResult;
import io.slipway.trust.verify.SignerKeys;
import io.slipway.va.report.ImageCoordinates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Image-security enforcement: decides, under the stored ImagePolicy and ClusterImagePolicy
 * documents, whether an image may be deployed. The registry supplies what the trust module's
 * evaluator asks for: the image's signatures (cosign tags and referrers, and the simple-signing
 * signatures of the extension API), the signer keys policies name, and the Vulnerability
 * Advisor's verdict with the account's exemptions. Anything that cannot be found out denies.
 */
public final class EnforcementService {
    private static final int MANIFEST_LIMIT = 4 << 20;

    private final PolicyStore policies;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final ScanService scans;
    private final Exemptions exemptions;
    private final Clock clock;
    private final Supplier<RegistryNames> names;

    /** @param names this registry's own hosts, for telling its images from other registries' */
    public EnforcementService(PolicyStore policies, MetadataStore metadata, BlobStore blobs, ScanService scans,
            Exemptions exemptions, Clock clock, Supplier<RegistryNames> names) {
        this.names = names;
        this.policies = policies;
        this.metadata = metadata;
        this.blobs = blobs;
        this.scans = scans;
        this.exemptions = exemptions;
        this.clock = clock;
    }

    public PolicyStore store() {
        return policies;
    }

    /** Parses one policy document; refuses several at once so each is stored (and replaced) whole. */
    public static ImagePolicy parseOne(String yaml) {
        List<ImagePolicy> parsed = ImagePolicyParser.parse(yaml);
        if (parsed.size() != 1) {
            throw new IllegalArgumentException("send one ImagePolicy or ClusterImagePolicy document at a time");
        }
        return parsed.get(0);
    }

    public static void checkKey(String name, String publicKey) {
        SignerKeys.parse(name, publicKey.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Who asks for a decision: the account whose ImagePolicies apply (with the ClusterImagePolicies)
     * and which repositories it may pull. Everything else is judged as an image that does not exist.
     */
    public record Requester(long accountId, Predicate<String> mayPull) {
    }

    /**
     * The decision for {@code reference} deployed in {@code namespace}: what the kubelet would pull,
     * under the policies of the requester's account. An image of this registry (its host is one of
     * {@link RegistryNames}) is judged at the digest its tag names now; an image this registry does
     * not hold, and one the requester may not pull, are denied with the same single reason, so the
     * answer tells nothing of another account's repositories, findings or signatures. An image of
     * any other registry is judged by {@link ForeignImages}: denied unless a policy names that registry.
     *
     * @throws IllegalArgumentException when {@code reference} is not an image reference
     */
    public PolicyDecision check(Requester requester, String namespace, String reference) {
        Reference parsed = Reference.parse(reference); // bad input: the caller says so (400, or a denial)
        List<String> unreadable = new ArrayList<>();
        List<ImagePolicy> stored = loadPolicies(requester.accountId(), unreadable);
        if (!unreadable.isEmpty()) {
            // An unreadable policy may be the one that applies: nothing can be decided without it.
            return new PolicyDecision(Image.of(DockerReference.of(parsed).toString(),
                    parsed.digest() == null ? Digest.sha256("") : parsed.digest()), false, null, null,
                    unreadable.stream().map(u -> new PolicyDecision.Reason("policy", false, u)).toList());
        }
        var evaluators = evaluators(requester.accountId(), stored);
        RegistryNames own = names.get();
        if (parsed.registry() == null || !own.isOwn(parsed.registry())) {
            return new ForeignImages(own).check(namespace, parsed, evaluators);
        }
        DockerReference ref = DockerReference.of(parsed);
        String repository = parsed.repository();
        boolean visible = RepositoryName.problem(repository, 255) == null && requester.mayPull().test(repository);
        Digest digest = visible ? ref.digest() : null;
        if (visible && digest == null) {
            digest = metadata.manifestByTag(repository, ref.tag() == null ? "latest" : ref.tag())
                    .map(ManifestRecord::digest).orElse(null);
        }
        if (!visible || digest == null || metadata.manifest(repository, digest).isEmpty()) {
            Digest named = ref.digest() == null ? Digest.sha256("") : ref.digest();
            return ForeignImages.denied(Image.of(ref.toString(), named), "image",
                    "image " + reference + " is not in this registry");
        }
        Image image = Image.of(ref.withDigest(digest).toString(), digest);
        String tag = ref.tag();
        Digest resolved = digest;
        return evaluators.apply(img -> signatures(repository, resolved),
                (img, requirement) -> vulnerability(repository, tag, resolved, requirement)).evaluate(namespace, image);
    }

    /**
     * Evaluators over {@code stored} (the account's and the cluster's policies) and the account's and
     * the cluster's keys, whose signature and scan sources are the arguments.
     */
    private java.util.function.BiFunction<SignatureSource, VulnerabilityGate, ImagePolicyEvaluator> evaluators(
            long accountId, List<ImagePolicy> stored) {
        return (signatures, vulnerabilities) -> new ImagePolicyEvaluator(new ImagePolicySet(stored), signatures,
                (policyNamespace, name) -> resolveKey(accountId, policyNamespace, name), vulnerabilities, clock);
    }

    /**
     * The account's ImagePolicies and the cluster's ClusterImagePolicies, no other account's; each one
     * that cannot be read is named in {@code unreadable} instead.
     */
    private List<ImagePolicy> loadPolicies(long accountId, List<String> unreadable) {
        List<ImagePolicy> list = new ArrayList<>();
        List<PolicyStore.StoredPolicy> stored = new ArrayList<>(policies.policies(PolicyStore.CLUSTER));
        if (accountId != PolicyStore.CLUSTER) {
            stored.addAll(policies.policies(accountId));
        }
        for (PolicyStore.StoredPolicy p : stored) {
            try {
                list.addAll(ImagePolicyParser.parse(p.document()));
            } catch (RuntimeException e) {
                String kind = java.util.Arrays.stream(io.slipway.trust.policy.PolicyKind.values())
                        .filter(k -> k.name().equals(p.kind())).map(io.slipway.trust.policy.PolicyKind::kindName)
                        .findFirst().orElse(p.kind());
                unreadable.add("the stored policy " + kind + " " + (p.namespace().isEmpty() ? "" : p.namespace() + "/")
                        + p.name() + " cannot be read: " + e.getMessage());
            }
        }
        return list;
    }

    /**
     * A key an ImagePolicy names: the account's key of the policy's namespace, the account's
     * account-wide key, then a registry-wide key. A ClusterImagePolicy ({@code namespace} null) names
     * registry-wide keys only, so no account can satisfy it with a key of its own.
     */
    private Optional<SignerKey> resolveKey(long accountId, String namespace, String name) {
        Optional<String> pem = namespace == null ? Optional.empty()
                : policies.key(accountId, namespace, name).or(() -> policies.key(accountId, "", name));
        return pem.or(() -> policies.key(PolicyStore.CLUSTER, "", name))
                .map(k -> SignerKeys.parse(name, k.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * One signature the registry holds for an image, and which stored signer keys verify it, by the
     * same collection ({@link #signatures}) and the same verifier an image policy's trust requirement
     * runs. {@code verifiedBy} empty: no key of the account (or the registry) verifies it, so it proves nothing.
     *
     * @param format     cosign or simple signing
     * @param verifiedBy the verifying keys, each as {@code name}, {@code name (policy namespace N)} or
     *                   {@code name (registry-wide)}
     * @param creator    the signing tool the verified payload names, or null
     * @param problem    why no key verified it (the last key's refusal), or null
     */
    public record SignatureCheck(String format, List<String> verifiedBy, List<String> keyNames, String creator,
            String problem) {
    }

    /** The signatures held for {@code repository@digest}, checked against the keys of {@code accountId} and the registry's. */
    public List<SignatureCheck> signatureChecks(long accountId, String repository, Digest digest) {
        ImageSignatures all;
        try {
            all = signatures(repository, digest);
        } catch (IOException | RuntimeException e) {
            return List.of(new SignatureCheck("unknown", List.of(), List.of(), null,
                    "the signatures cannot be read: " + e.getMessage()));
        }
        if (all.isEmpty()) {
            return List.of();
        }
        List<PolicyStore.StoredKey> keys = new ArrayList<>(policies.keys(accountId));
        if (accountId != PolicyStore.CLUSTER) {
            keys.addAll(policies.keys(PolicyStore.CLUSTER));
        }
        // The image under each name this registry answers to: a signature names the host it was pushed by.
        List<Image> images = names.get().names().stream().sorted()
                .map(host -> Image.of(host + "/" + repository + "@" + digest, digest)).toList();
        List<SignatureCheck> checks = new ArrayList<>();
        for (CosignSignature c : all.cosign()) {
            checks.add(check("cosign", new ImageSignatures(List.of(c), List.of()), keys, images));
        }
        for (byte[] simple : all.simpleSigning()) {
            checks.add(check("simple signing", new ImageSignatures(List.of(), List.of(simple)), keys, images));
        }
        return checks;
    }

    private SignatureCheck check(String format, ImageSignatures one, List<PolicyStore.StoredKey> keys, List<Image> images) {
        List<String> by = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String creator = null;
        String problem = keys.isEmpty() ? "no signer key is stored" : null;
        for (PolicyStore.StoredKey key : keys) {
            SignerKey signer;
            try {
                signer = SignerKeys.parse(key.name(), key.publicKey().getBytes(StandardCharsets.US_ASCII));
            } catch (RuntimeException e) {
                continue; // a key that cannot be read verifies nothing (it was checked when stored)
            }
            ImageVerifier verifier = new ImageVerifier(List.of(signer), clock);
            for (Image image : images) {
                VerificationResult r = verifier.verify(image, one, IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
                if (r.isVerified()) {
                    by.add(key.accountId() == PolicyStore.CLUSTER ? key.name() + " (registry-wide)"
                            : key.namespace().isEmpty() ? key.name() : key.name() + " (policy namespace "
                            + key.namespace() + ")");
                    names.add(key.name());
                    creator = r.accepted().get(0).payload().creator();
                    break;
                }
                problem = r.refused().isEmpty() ? problem : r.refused().get(0).message();
            }
        }
        return new SignatureCheck(format, by, names.stream().distinct().toList(), creator, by.isEmpty() ? problem : null);
    }

    /** Every signature the registry holds for the digest in the repository, in both formats. */
    private ImageSignatures signatures(String repository, Digest digest) throws IOException {
        List<CosignSignature> cosign = new ArrayList<>();
        metadata.manifestByTag(repository, digest.tagForm() + ".sig").ifPresent(m -> readCosign(m.digest(), cosign));
        for (ManifestRecord referrer : metadata.referrers(repository, digest)) {
            readCosign(referrer.digest(), cosign);
        }
        List<byte[]> simple = new ArrayList<>();
        metadata.signatures(repository, digest).forEach(s -> simple.add(s.content()));
        return new ImageSignatures(cosign, simple);
    }

    private void readCosign(Digest manifestDigest, List<CosignSignature> into) {
        try {
            byte[] bytes = blobs.readAll(manifestDigest, MANIFEST_LIMIT);
            if (bytes == null) {
                return;
            }
            SignatureManifest manifest = SignatureManifest.parse(bytes);
            into.addAll(manifest.signatures(d -> {
                byte[] b = blobs.readAll(d.digest(), (int) Math.min(Integer.MAX_VALUE, SignatureManifest.MAX_PAYLOAD_BYTES));
                if (b == null) {
                    throw new IOException("signature payload " + d.digest() + " is missing");
                }
                return b;
            }));
        } catch (IOException | RuntimeException e) {
            // A referrer that is not a cosign signature (an SBOM, say) carries no signature.
        }
    }

    /** The shared judge over the stored report, exemptions applied, against the advisory database in use. */
    private Verdict vulnerability(String repository, String tag, Digest digest, VulnerabilityRequirement requirement) {
        String current = scans.currentDatabaseVersion();
        Optional<ScanResult> result = scans.result(digest, current);
        ScanService.View view = result.map(r -> scans.view(r, ImageCoordinates.of(repository, tag, digest.toString()),
                exemptions.forRepository(repository))).orElse(null);
        return VulnerabilityJudge.judge(ScanService.report(result.orElse(null), view, current), requirement.criteria());
    }
}
