package io.slipway.trust.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.slipway.oci.vulnerability.Severity;
import io.slipway.trust.DockerReference;
import io.slipway.trust.IdentityMatch;
import io.slipway.trust.keys.KeyFileException;
import io.slipway.trust.verify.SignerKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads ImagePolicy and ClusterImagePolicy YAML (one or more documents separated by
 * {@code ---}) in the style of Portieris:
 * <pre>
 * apiVersion: slipway.io/v1
 * kind: ImagePolicy
 * metadata:
 *   name: production
 *   namespace: team-a
 * spec:
 *   repositories:
 *     - name: "registry.local:5000/team-a/*"
 *       policy:
 *         trust:
 *           signerKeys:
 *             - name: release            # a key the registry keeps
 *             - publicKey: |             # or the key itself
 *                 -----BEGIN PUBLIC KEY-----
 *                 …
 *           signedIdentity: matchRepoDigestOrExact   # or, for a promoted copy:
 *           # signedIdentity: {type: remapIdentity, prefix: "registry.local:5000/prod", signedPrefix: "registry.local:5000/dev"}
 *         vulnerability:
 *           severity: high             # unknown, negligible, low, medium, high or critical
 *           allowUnassessed: false     # true admits images whose OS packages cannot be assessed
 * </pre>
 * Unknown fields are errors, never ignored: a misspelt requirement in a security policy must not
 * silently become no requirement.
 */
public final class ImagePolicyParser {

    public static final String API_VERSION = "slipway.io/v1";

    private static final YAMLMapper YAML = new YAMLMapper();

    private ImagePolicyParser() {
    }

    public static List<ImagePolicy> parse(String yaml) {
        List<ImagePolicy> policies = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            int index = 0;
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                index++;
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue;
                }
                policies.add(policy(document, "document " + index));
            }
        } catch (JsonProcessingException e) {
            throw new InvalidPolicyException("policy is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidPolicyException("policy cannot be read: " + e.getMessage());
        }
        return policies;
    }

    private static ImagePolicy policy(JsonNode document, String where) {
        requireFields(document, where, Set.of("apiVersion", "kind", "metadata", "spec"), Set.of("apiVersion", "kind", "metadata", "spec"));
        String apiVersion = text(document, "apiVersion", where);
        if (!API_VERSION.equals(apiVersion)) {
            throw new InvalidPolicyException(where + ": apiVersion must be " + API_VERSION + ", not \"" + apiVersion + "\"");
        }
        String kindName = text(document, "kind", where);
        PolicyKind kind = switch (kindName) {
            case "ImagePolicy" -> PolicyKind.IMAGE_POLICY;
            case "ClusterImagePolicy" -> PolicyKind.CLUSTER_IMAGE_POLICY;
            default -> throw new InvalidPolicyException(where + ": kind must be ImagePolicy or ClusterImagePolicy, not \"" + kindName + "\"");
        };
        JsonNode metadata = document.get("metadata");
        requireFields(metadata, "metadata", Set.of("name", "namespace", "labels", "annotations"), Set.of("name"));
        String name = text(metadata, "name", "metadata");
        String namespace = metadata.has("namespace") ? text(metadata, "namespace", "metadata") : null;
        String at = kind.kindName() + " " + name;

        JsonNode spec = document.get("spec");
        requireFields(spec, at + ": spec", Set.of("repositories"), Set.of("repositories"));
        JsonNode repositories = spec.get("repositories");
        if (!repositories.isArray()) {
            throw new InvalidPolicyException(at + ": spec.repositories must be a list");
        }
        List<RepositoryRule> rules = new ArrayList<>();
        for (int i = 0; i < repositories.size(); i++) {
            rules.add(rule(repositories.get(i), at + ": spec.repositories[" + i + "]"));
        }
        return new ImagePolicy(kind, name, namespace, rules);
    }

    private static RepositoryRule rule(JsonNode node, String where) {
        requireFields(node, where, Set.of("name", "policy"), Set.of("name"));
        RepositoryPattern pattern;
        try {
            pattern = new RepositoryPattern(text(node, "name", where));
        } catch (InvalidPolicyException e) {
            throw new InvalidPolicyException(where + ".name: " + e.getMessage());
        }
        JsonNode policy = node.get("policy");
        if (policy == null || policy.isNull()) {
            return new RepositoryRule(pattern, Requirements.none());
        }
        requireFields(policy, where + ".policy", Set.of("trust", "vulnerability"), Set.of());
        return new RepositoryRule(pattern, new Requirements(
                trust(policy.get("trust"), where + ".policy.trust"),
                vulnerability(policy.get("vulnerability"), where + ".policy.vulnerability")));
    }

    private static TrustRequirement trust(JsonNode node, String where) {
        if (node == null || node.isNull() || !enabled(node, where, Set.of("enabled", "signerKeys", "signedIdentity"))) {
            return null;
        }
        JsonNode keys = node.get("signerKeys");
        if (keys == null || !keys.isArray() || keys.isEmpty()) {
            throw new InvalidPolicyException(where + ".signerKeys must list at least one key");
        }
        List<SignerKeyRef> refs = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String keyWhere = where + ".signerKeys[" + i + "]";
            JsonNode key = keys.get(i);
            requireFields(key, keyWhere, Set.of("name", "publicKey"), Set.of());
            if (key.has("name") == key.has("publicKey")) {
                throw new InvalidPolicyException(keyWhere + " needs exactly one of name or publicKey");
            }
            if (key.has("name")) {
                refs.add(SignerKeyRef.named(text(key, "name", keyWhere)));
            } else {
                String publicKey = text(key, "publicKey", keyWhere);
                try {
                    SignerKeys.parse(keyWhere, publicKey.getBytes(StandardCharsets.US_ASCII));
                } catch (KeyFileException e) {
                    throw new InvalidPolicyException(keyWhere + ".publicKey: " + e.getMessage());
                }
                refs.add(SignerKeyRef.inline(publicKey));
            }
        }
        IdentityMatch identity = IdentityMatch.MATCH_REPO_DIGEST_OR_EXACT;
        if (node.has("signedIdentity")) {
            identity = signedIdentity(node.get("signedIdentity"), where + ".signedIdentity");
        }
        return new TrustRequirement(refs, identity);
    }

    /**
     * A rule of containers-policy.json: its name for the parameterless ones
     * ({@code matchRepoDigestOrExact}), or a mapping with {@code type} and the rule's fields
     * ({@code {type: remapIdentity, prefix: …, signedPrefix: …}}), spelled as in policy.json.
     */
    private static IdentityMatch signedIdentity(JsonNode node, String where) {
        try {
            if (node != null && node.isTextual()) {
                return IdentityMatch.fromPolicyName(node.textValue());
            }
            if (node == null || !node.isObject() || !node.path("type").isTextual()) {
                throw new InvalidPolicyException(where + " must be a rule name or a mapping with a type");
            }
            String type = node.get("type").textValue();
            return switch (type) {
                case "exactReference" -> {
                    requireFields(node, where, Set.of("type", "dockerReference"), Set.of("dockerReference"));
                    yield new IdentityMatch.ExactReference(DockerReference.parse(text(node, "dockerReference", where)));
                }
                case "exactRepository" -> {
                    requireFields(node, where, Set.of("type", "dockerRepository"), Set.of("dockerRepository"));
                    yield new IdentityMatch.ExactRepository(DockerReference.parse(text(node, "dockerRepository", where)));
                }
                case "remapIdentity" -> {
                    requireFields(node, where, Set.of("type", "prefix", "signedPrefix"), Set.of("prefix", "signedPrefix"));
                    yield new IdentityMatch.RemapIdentity(text(node, "prefix", where), text(node, "signedPrefix", where));
                }
                default -> {
                    requireFields(node, where, Set.of("type"), Set.of());
                    yield IdentityMatch.fromPolicyName(type);
                }
            };
        } catch (InvalidPolicyException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(where + ": " + e.getMessage());
        }
    }

    private static VulnerabilityRequirement vulnerability(JsonNode node, String where) {
        if (node == null || node.isNull() || !enabled(node, where, Set.of("enabled", "severity", "allowUnassessed"))) {
            return null;
        }
        Severity threshold = null;
        if (node.has("severity")) {
            try {
                threshold = Severity.threshold(text(node, "severity", where));
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException(where + ".severity: " + e.getMessage());
            }
        }
        JsonNode allow = node.get("allowUnassessed");
        if (allow != null && !allow.isBoolean()) {
            throw new InvalidPolicyException(where + ".allowUnassessed must be true or false");
        }
        return new VulnerabilityRequirement(threshold, allow != null && allow.booleanValue());
    }

    // A requirement block is on unless it says enabled: false.
    private static boolean enabled(JsonNode node, String where, Set<String> allowed) {
        requireFields(node, where, allowed, Set.of());
        JsonNode enabled = node.get("enabled");
        if (enabled == null) {
            return true;
        }
        if (!enabled.isBoolean()) {
            throw new InvalidPolicyException(where + ".enabled must be true or false");
        }
        return enabled.booleanValue();
    }

    private static void requireFields(JsonNode node, String where, Set<String> allowed, Set<String> required) {
        if (node == null || !node.isObject()) {
            throw new InvalidPolicyException(where + " must be a mapping");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new InvalidPolicyException(where + ": unknown field \"" + field + "\" (allowed: " + allowed.stream().sorted().toList() + ")");
            }
        }
        for (String field : required) {
            if (!node.has(field) || node.get(field).isNull()) {
                throw new InvalidPolicyException(where + ": " + field + " is missing");
            }
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw new InvalidPolicyException(where + "." + field + " must be a non-empty string");
        }
        return value.textValue();
    }
}
