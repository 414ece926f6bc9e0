package io.slipway.trust.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.oci.vulnerability.ScanReport;
import io.slipway.oci.vulnerability.Severity;
import io.slipway.oci.vulnerability.VulnerabilityJudge;
import io.slipway.trust.Image;
import io.slipway.trust.SignerKey;
import io.slipway.trust.cosign.CosignSignature;
import io.slipway.trust.cosign.CosignSigner;
import io.slipway.trust.keys.EcKeys;
import io.slipway.trust.keys.KeyFiles;
import io.slipway.trust.simplesigning.OpenPgpKeyGenerator;
import io.slipway.trust.simplesigning.OpenPgpKeys;
import io.slipway.trust.simplesigning.SimpleSigningSigner;
import io.slipway.trust.verify.ImageSignatures;
import java.io.IOException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Policy decisions over a table of images: signed, unsigned, vulnerable, exempted, unscanned, outside every policy. */
class ImagePolicyEvaluatorTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);
    private static final String HOST = "registry.local:5000";

    /** A finding as the fake scanner reports it. */
    private record Finding(String id, Severity severity) {
    }

    private static final Map<Digest, ImageSignatures> SIGNATURES = new HashMap<>();
    private static final Map<Digest, List<Finding>> SCANS = new HashMap<>();
    private static final Set<String> EXEMPTIONS = Set.of("CVE-2026-0002");
    private static final Map<String, SignerKey> KEYS = new HashMap<>();
    private static ImagePolicyEvaluator evaluator;
    private static CosignSigner release;
    private static CosignSigner rogue;
    private static SimpleSigningSigner ops;

    @BeforeAll
    static void setUp() {
        SecureRandom random = new SecureRandom();
        KeyPair releasePair = EcKeys.generateP256(random);
        KeyPair roguePair = EcKeys.generateP256(random);
        OpenPgpKeyGenerator.GeneratedKey opsKey = new OpenPgpKeyGenerator(random, 2048)
                .generate("Ops <ops@test.invalid>", new char[0], CLOCK.instant().minus(Duration.ofDays(10)), null);
        release = new CosignSigner((ECPrivateKey) releasePair.getPrivate(), CLOCK);
        rogue = new CosignSigner((ECPrivateKey) roguePair.getPrivate(), CLOCK);
        ops = new SimpleSigningSigner(OpenPgpKeys.signingKey(opsKey.secretKeys()), new char[0], CLOCK);
        KEYS.put("release", new SignerKey.Cosign("release", releasePair.getPublic()));
        KEYS.put("ops", new SignerKey.OpenPgp("ops", new PGPPublicKeyRingCollection(List.of(opsKey.publicKeys()))));

        String releasePem = KeyFiles.publicKeyPem(releasePair.getPublic()).strip().replace("\n", "\n                      ");
        List<ImagePolicy> policies = ImagePolicyParser.parse("""
                apiVersion: slipway.io/v1
                kind: ClusterImagePolicy
                metadata:
                  name: default
                spec:
                  repositories:
                    - name: "%1$s/prod/*"
                      policy:
                        trust:
                          signerKeys: [{name: release}, {name: ops}]
                        vulnerability:
                          severity: high
                    - name: "%1$s/prod/legacy-*"
                      policy:
                        vulnerability: {}
                    - name: "%1$s/tools/*"
                      policy:
                ---
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata:
                  name: own
                  namespace: team-x
                spec:
                  repositories:
                    - name: "%1$s/team-x/*"
                      policy:
                        trust:
                          signerKeys:
                            - name: not-defined
                            - publicKey: |
                                %2$s
                """.formatted(HOST, releasePem));
        SignatureSource source = image -> {
            if (image.reference().path().contains("broken-store")) {
                throw new IOException("signature store unavailable");
            }
            return SIGNATURES.getOrDefault(image.manifestDigest(), ImageSignatures.none());
        };
        // The registry's judge itself, over reports made from the table's scans.
        VulnerabilityGate gate = (image, requirement) -> {
            List<Finding> findings = SCANS.get(image.manifestDigest());
            if (findings == null) {
                return VulnerabilityJudge.judge(new ScanReport(ScanReport.State.QUEUED, "Scanning", null, null, "db-1",
                        "db-1", List.of()), requirement.criteria());
            }
            List<ScanReport.Finding> report = findings.stream().map(f -> new ScanReport.Finding("cve", f.id(),
                    f.severity().name(), null, null, null, EXEMPTIONS.contains(f.id()))).toList();
            return VulnerabilityJudge.judge(new ScanReport(ScanReport.State.DONE, "", null, null, "db-1", "db-1", report),
                    requirement.criteria());
        };
        SignerKeyResolver resolver = (namespace, name) -> Optional.ofNullable(KEYS.get(name));
        evaluator = new ImagePolicyEvaluator(new ImagePolicySet(policies), source, resolver, gate, CLOCK);
    }

    /** An image named {@code name}, with a manifest of its own, signed and scanned as told. */
    private static Image image(String name, Stream<String> signers, List<Finding> scan) {
        Image image = Image.of(HOST + "/" + name, Digest.sha256("manifest of " + name));
        List<CosignSignature> cosign = new java.util.ArrayList<>();
        List<byte[]> simple = new java.util.ArrayList<>();
        signers.forEach(signer -> {
            switch (signer) {
                case "release" -> cosign.add(release.sign(image));
                case "rogue" -> cosign.add(rogue.sign(image));
                case "ops" -> simple.add(ops.sign(image));
                case "release-for-another-image" -> cosign.add(release.sign(Image.of(image.reference().toString(), Digest.sha256("other"))));
                default -> throw new IllegalArgumentException(signer);
            }
        });
        SIGNATURES.put(image.manifestDigest(), new ImageSignatures(cosign, simple));
        if (scan != null) {
            SCANS.put(image.manifestDigest(), scan);
        }
        return image;
    }

    private static final List<Finding> CLEAN = List.of();

    static Stream<Arguments> table() {
        return Stream.of(
                // name, namespace, image, allowed, text every failure reason (or the decision) must contain
                Arguments.of("signed (cosign), clean", "default", image("prod/api:1", Stream.of("release"), CLEAN), true,
                        List.of("signed by release (cosign", "scan passed (threshold high)")),
                Arguments.of("signed (simple signing), clean", "default", image("prod/web:1", Stream.of("ops"), CLEAN), true,
                        List.of("signed by ops (simple-signing")),
                Arguments.of("unsigned", "default", image("prod/unsigned:1", Stream.of(), CLEAN), false,
                        List.of("trust: not signed by any of [release, ops]: no signature found")),
                Arguments.of("signed by a stranger", "default", image("prod/rogue:1", Stream.of("rogue"), CLEAN), false,
                        List.of("trust: not signed by any of [release, ops]: no valid signature: cosign signature 1")),
                Arguments.of("signature copied from another image", "default",
                        image("prod/copied:1", Stream.of("release-for-another-image"), CLEAN), false,
                        List.of("trust: ", "is for manifest")),
                Arguments.of("vulnerable", "default",
                        image("prod/vulnerable:1", Stream.of("release"), List.of(new Finding("CVE-2026-0001", Severity.CRITICAL))), false,
                        List.of("vulnerability: 1 issue (threshold high): CVE-2026-0001 (critical)")),
                Arguments.of("vulnerable but exempted", "default",
                        image("prod/exempted:1", Stream.of("release"), List.of(new Finding("CVE-2026-0002", Severity.CRITICAL))), true,
                        List.of("scan passed")),
                Arguments.of("only below the threshold", "default",
                        image("prod/minor:1", Stream.of("release"), List.of(new Finding("CVE-2026-0003", Severity.LOW))), true,
                        List.of("scan passed")),
                Arguments.of("not scanned yet", "default", image("prod/fresh:1", Stream.of("release"), null), false,
                        List.of("vulnerability: not scanned yet")),
                Arguments.of("unsigned and vulnerable: both reasons", "default",
                        image("prod/worst:1", Stream.of(), List.of(new Finding("CVE-2026-0004", Severity.HIGH))), false,
                        List.of("trust: not signed", "vulnerability: 1 issue")),
                Arguments.of("most specific rule: legacy needs no signature, any finding fails", "default",
                        image("prod/legacy-billing:1", Stream.of(), List.of(new Finding("CVE-2026-0005", Severity.LOW))), false,
                        List.of("vulnerability: 1 issue (any finding, configuration included): CVE-2026-0005 (low)")),
                Arguments.of("allowed without requirements", "default", image("tools/debug:1", Stream.of(), null), true,
                        List.of("ClusterImagePolicy/default rule \"registry.local:5000/tools/*\" admits without requirements")),
                Arguments.of("outside every policy", "default", image("sandbox/app:1", Stream.of("release"), CLEAN), false,
                        List.of("policy: no image policy for namespace default matches registry.local:5000/sandbox/app")),
                Arguments.of("own namespace policy: an inline key verifies despite a missing one", "team-x",
                        image("team-x/app:1", Stream.of("release"), null), true, List.of("signed by inline key 1")),
                Arguments.of("own namespace policy: the missing key is reported", "team-x",
                        image("team-x/other:1", Stream.of("ops"), null), false,
                        List.of("signer key \"not-defined\" is not defined")),
                Arguments.of("own namespace policy: cluster rules do not apply", "team-x",
                        image("tools/debug:2", Stream.of(), null), false, List.of("no image policy for namespace team-x")),
                Arguments.of("signature store failing", "default", image("prod/broken-store:1", Stream.of("release"), CLEAN), false,
                        List.of("trust: signatures could not be read: signature store unavailable")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String name, String namespace, Image image, boolean allowed, List<String> expected) {
        PolicyDecision decision = evaluator.evaluate(namespace, image);
        assertThat(decision.allowed()).as(decision.message()).isEqualTo(allowed);
        assertThat(decision.message()).startsWith((allowed ? "allow " : "deny ") + image);
        for (String text : expected) {
            assertThat(decision.message()).as(decision.message()).contains(text);
        }
        if (allowed) {
            assertThat(decision.failures()).isEmpty();
        } else {
            assertThat(decision.failures()).isNotEmpty();
        }
    }
}
