package io.slipway.trust.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.vulnerability.Severity;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.testing.Vectors;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImagePolicyParserTest {

    @Test
    void readsBothKindsFromOneFile() {
        String pub = Vectors.text("cosign/signer.pub").strip().replace("\n", "\n                ");
        List<ImagePolicy> policies = ImagePolicyParser.parse("""
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata:
                  name: production
                  namespace: team-a
                spec:
                  repositories:
                    - name: "registry.local:5000/team-a/*"
                      policy:
                        trust:
                          enabled: true
                          signerKeys:
                            - name: release
                            - publicKey: |
                                %s
                          signedIdentity: matchExact
                        vulnerability:
                          severity: high
                    - name: registry.local:5000/team-a/tools
                      policy:
                ---
                apiVersion: slipway.io/v1
                kind: ClusterImagePolicy
                metadata:
                  name: default
                spec:
                  repositories:
                    - name: "*"
                      policy:
                        trust:
                          enabled: false
                        vulnerability: {}
                """.formatted(pub));

        assertThat(policies).hasSize(2);
        ImagePolicy production = policies.get(0);
        assertThat(production.kind()).isEqualTo(PolicyKind.IMAGE_POLICY);
        assertThat(production.qualifiedName()).isEqualTo("ImagePolicy/team-a/production");
        RepositoryRule first = production.repositories().get(0);
        assertThat(first.pattern().glob()).isEqualTo("registry.local:5000/team-a/*");
        assertThat(first.requirements().trust().signerKeys()).hasSize(2);
        assertThat(first.requirements().trust().signerKeys().get(0)).isEqualTo(SignerKeyRef.named("release"));
        assertThat(first.requirements().trust().signerKeys().get(1).publicKey()).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(first.requirements().trust().signedIdentity()).isEqualTo(IdentityMatch.MATCH_EXACT);
        assertThat(first.requirements().vulnerability().threshold()).isEqualTo(Severity.HIGH);
        assertThat(production.repositories().get(1).requirements().isEmpty()).isTrue();

        ImagePolicy cluster = policies.get(1);
        assertThat(cluster.kind()).isEqualTo(PolicyKind.CLUSTER_IMAGE_POLICY);
        assertThat(cluster.namespace()).isNull();
        Requirements requirements = cluster.repositories().get(0).requirements();
        assertThat(requirements.trust()).as("enabled: false").isNull();
        assertThat(requirements.vulnerability()).isEqualTo(new VulnerabilityRequirement(null));
    }

    @Test
    void defaultsToMatchRepoDigestOrExact() {
        ImagePolicy policy = ImagePolicyParser.parse(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                """)).get(0);
        assertThat(policy.repositories().get(0).requirements().trust().signedIdentity()).isEqualTo(IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT);
    }

    @Test
    void readsParameterisedIdentityRulesAsPolicyJsonSpellsThem() {
        ImagePolicy policy = ImagePolicyParser.parse(cluster("""
                    - name: "r.example:5000/prod/*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: {type: remapIdentity, prefix: "r.example:5000/prod", signedPrefix: "r.example:5000/dev"}
                    - name: "r.example:5000/a/*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: {type: exactReference, dockerReference: "r.example:5000/a/app:v1"}
                    - name: "r.example:5000/b/*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: {type: exactRepository, dockerRepository: "r.example:5000/b/app"}
                    - name: "r.example:5000/c/*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: {type: matchRepository}
                """)).get(0);
        assertThat(policy.repositories().get(0).requirements().trust().signedIdentity())
                .isEqualTo(new IdentityMatch.RemapIdentity("r.example:5000/prod", "r.example:5000/dev"));
        assertThat(policy.repositories().get(1).requirements().trust().signedIdentity())
                .isEqualTo(new IdentityMatch.ExactReference(io.slipway.trust.DockerReference.parse("r.example:5000/a/app:v1")));
        assertThat(policy.repositories().get(2).requirements().trust().signedIdentity())
                .isEqualTo(new IdentityMatch.ExactRepository(io.slipway.trust.DockerReference.parse("r.example:5000/b/app")));
        assertThat(policy.repositories().get(3).requirements().trust().signedIdentity()).isEqualTo(IdentityMatch.MATCH_REPOSITORY);
    }

    @Test
    void refusesWhatItDoesNotUnderstand() {
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: {type: remapIdentity, prefix: "r.example/prod"}
                """), "signedPrefix is missing");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: {type: remapIdentity, prefix: "prod", signedPrefix: "r.example/dev"}
                """), "must start with a registry host");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: {type: exactReference, dockerReference: "r.example/a/app"}
                """), "tag or a digest");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: {type: matchExact, prefix: "r.example/a"}
                """), "unknown field \"prefix\"");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerkeys: [{name: k}]
                """), "unknown field \"signerkeys\"");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        simple: {}
                """), "unknown field \"simple\"");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: []
                """), "at least one key");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: [{name: k, publicKey: x}]
                """), "exactly one of name or publicKey");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: [{publicKey: "not a key"}]
                """), "signerKeys[0].publicKey");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        trust:
                          signerKeys: [{name: k}]
                          signedIdentity: remapIdentity
                """), "signedIdentity");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        vulnerability:
                          severity: severe
                """), "unknown severity \"severe\" (accepted: unknown, negligible, low, medium, high, critical)");
        assertInvalid(cluster("""
                    - name: "*"
                      policy:
                        vulnerability:
                          severity: high
                          allowUnassessed: "yes"
                """), "allowUnassessed must be true or false");
        assertInvalid(cluster("""
                    - name: "Not A Name"
                """), "repositories[0].name");
        String anyRule = cluster("    - name: \"*\"\n");
        assertThat(ImagePolicyParser.parse(anyRule)).hasSize(1);
        assertInvalid(anyRule.replace("slipway.io/v1", "portieris.cloud.ibm.com/v1"), "apiVersion");
        assertInvalid(anyRule.replace("ClusterImagePolicy", "Policy"), "kind");
        assertInvalid(anyRule.replace("ClusterImagePolicy", "ImagePolicy"), "needs metadata.namespace");
        assertInvalid(cluster(""), "repositories is missing");
        assertInvalid("key: [unclosed", "not valid YAML");
    }

    @Test
    void everySeverityOfTheModelIsAThresholdAndUnassessedImagesAreAllowedOnlyWhenSaid() {
        for (Severity s : Severity.values()) {
            VulnerabilityRequirement r = ImagePolicyParser.parse(cluster("""
                        - name: "*"
                          policy:
                            vulnerability:
                              severity: %s
                    """.formatted(s.lowerCase()))).get(0).repositories().get(0).requirements().vulnerability();
            assertThat(r).isEqualTo(new VulnerabilityRequirement(s, false));
        }
        VulnerabilityRequirement allowing = ImagePolicyParser.parse(cluster("""
                    - name: "*"
                      policy:
                        vulnerability:
                          severity: NEGLIGIBLE
                          allowUnassessed: true
                """)).get(0).repositories().get(0).requirements().vulnerability();
        assertThat(allowing).isEqualTo(new VulnerabilityRequirement(Severity.NEGLIGIBLE, true));
        assertThat(allowing.criteria().allowUnassessed()).isTrue();
    }

    private static String cluster(String repositories) {
        return """
                apiVersion: slipway.io/v1
                kind: ClusterImagePolicy
                metadata:
                  name: test
                spec:
                  repositories:
                """ + repositories;
    }

    private static void assertInvalid(String yaml, String message) {
        assertThatThrownBy(() -> ImagePolicyParser.parse(yaml)).isInstanceOf(InvalidPolicyException.class).hasMessageContaining(message);
    }
}
