package io.slipway.trust;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Digest;
import io.slipway.oci.InvalidDigestException;
import io.slipway.trust.SignatureVerificationException.Reason;
import java.io.IOException;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * The JSON document both signature formats sign:
 * <pre>{"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":…},"type":…},
 *  "optional":{"creator":…,"timestamp":…}}</pre>
 * Parsing is as strict as containers/image's: exactly these {@code critical} members (an unknown
 * one is a claim the signer made that we would silently ignore), no duplicate keys, no trailing
 * data, an integral timestamp. {@code optional} may hold anything else, and may be {@code null}
 * (cosign writes that).
 *
 * @param type            which format's payload this is
 * @param dockerReference the identity claimed, exactly as written by the signer
 * @param manifestDigest  the manifest digest signed
 * @param creator         optional free text naming the signing tool, or null
 * @param timestamp       optional signing time in Unix seconds, or null
 */
public record SignaturePayload(Type type, String dockerReference, Digest manifestDigest, String creator, Long timestamp) {

    /** The {@code critical.type} values of the two formats. */
    public enum Type {
        COSIGN("cosign container image signature"),
        ATOMIC("atomic container signature");

        private final String value;

        Type(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public SignaturePayload {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dockerReference, "dockerReference");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        if (dockerReference.isEmpty()) {
            throw new IllegalArgumentException("docker-reference is empty");
        }
    }

    /** A payload for signing {@code image} now, naming {@code creator}. */
    public static SignaturePayload forImage(Type type, Image image, String creator, long unixSeconds) {
        return new SignaturePayload(type, image.reference().toString(), image.manifestDigest(), creator, unixSeconds);
    }

    /** The exact bytes to sign: keys in the order Go's encoder writes them, so output matches other signers'. */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode critical = root.putObject("critical");
        critical.putObject("identity").put("docker-reference", dockerReference);
        critical.putObject("image").put("docker-manifest-digest", manifestDigest.toString());
        critical.put("type", type.value());
        ObjectNode optional = root.putObject("optional");
        if (creator != null) {
            optional.put("creator", creator);
        }
        if (timestamp != null) {
            optional.put("timestamp", timestamp);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a payload", e);
        }
    }

    /**
     * Parses signed bytes, refusing anything but a well-formed payload of {@code expected} type.
     * Call this only on bytes whose signature has been checked: the values are not trusted before.
     */
    public static SignaturePayload parse(byte[] json, Type expected) throws SignatureVerificationException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw malformed("payload is not valid JSON");
        }
        requireExactFields(root, "payload", Set.of("critical", "optional"));
        JsonNode optional = root.get("optional");
        String creator = null;
        Long timestamp = null;
        if (!optional.isNull()) {
            if (!optional.isObject()) {
                throw malformed("optional must be an object");
            }
            JsonNode c = optional.get("creator");
            if (c != null) {
                if (!c.isTextual()) {
                    throw malformed("optional.creator must be a string");
                }
                creator = c.textValue();
            }
            JsonNode t = optional.get("timestamp");
            if (t != null) {
                if (!t.isNumber() || !isIntegral(t)) {
                    throw malformed("optional.timestamp must be an integer");
                }
                timestamp = t.longValue();
            }
        }
        JsonNode critical = root.get("critical");
        requireExactFields(critical, "critical", Set.of("type", "image", "identity"));
        JsonNode typeNode = critical.get("type");
        if (!typeNode.isTextual()) {
            throw malformed("critical.type must be a string");
        }
        if (!expected.value().equals(typeNode.textValue())) {
            throw malformed("unexpected signature type \"" + printable(typeNode.textValue())
                    + "\" (expected \"" + expected.value() + "\")");
        }
        JsonNode image = critical.get("image");
        requireExactFields(image, "critical.image", Set.of("docker-manifest-digest"));
        JsonNode digestNode = image.get("docker-manifest-digest");
        if (!digestNode.isTextual()) {
            throw malformed("critical.image.docker-manifest-digest must be a string");
        }
        Digest digest;
        try {
            digest = Digest.parse(digestNode.textValue());
        } catch (InvalidDigestException e) {
            throw malformed("invalid docker-manifest-digest: " + e.getMessage());
        }
        JsonNode identity = critical.get("identity");
        requireExactFields(identity, "critical.identity", Set.of("docker-reference"));
        JsonNode ref = identity.get("docker-reference");
        if (!ref.isTextual() || ref.textValue().isEmpty()) {
            throw malformed("critical.identity.docker-reference must be a non-empty string");
        }
        return new SignaturePayload(expected, ref.textValue(), digest, creator, timestamp);
    }

    /**
     * The identity this payload claims, normalized. A cosign payload whose {@code docker-reference}
     * names a repository alone (cosign 2.x writes no tag or digest there) claims that repository at
     * the digest it signs: cosign's signature specification makes {@code docker-manifest-digest} the
     * signed subject, so the claim is exactly {@code repository@digest}, no more (it covers no tag).
     * A simple-signing payload is read as written: there a bare repository claims nothing, as in
     * containers/image.
     *
     * @throws IllegalArgumentException when the reference is not valid
     */
    public DockerReference claimedIdentity() {
        DockerReference signed = DockerReference.parse(dockerReference);
        if (type == Type.COSIGN && signed.isNameOnly()) {
            return signed.withDigest(manifestDigest);
        }
        return signed;
    }

    /**
     * Checks that this (verified) payload speaks for {@code image}: same manifest digest, and an
     * identity that {@code rule} accepts for the image's reference.
     */
    public void requireMatches(Image image, IdentityMatch rule) throws SignatureVerificationException {
        if (!manifestDigest.equals(image.manifestDigest())) {
            throw new SignatureVerificationException(Reason.DIGEST_MISMATCH,
                    "signature is for manifest " + manifestDigest + ", not " + image.manifestDigest());
        }
        DockerReference signed;
        try {
            signed = claimedIdentity();
        } catch (IllegalArgumentException e) {
            throw new SignatureVerificationException(Reason.IDENTITY_MISMATCH,
                    "signed identity \"" + printable(dockerReference) + "\" is not a valid reference");
        }
        if (!rule.matches(image.reference(), signed)) {
            throw new SignatureVerificationException(Reason.IDENTITY_MISMATCH,
                    "signed identity " + signed + " does not match " + image.reference() + " (" + rule.describe() + ")");
        }
    }

    private static void requireExactFields(JsonNode node, String where, Set<String> fields)
            throws SignatureVerificationException {
        if (node == null || !node.isObject()) {
            throw malformed(where + " must be an object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!fields.contains(field)) {
                throw malformed("unknown member \"" + printable(field) + "\" in " + where);
            }
        }
        for (String field : fields) {
            if (!node.has(field)) {
                throw malformed(where + "." + field + " is missing");
            }
        }
    }

    private static boolean isIntegral(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.canConvertToLong();
        }
        double d = n.doubleValue();
        return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.2e18;
    }

    private static SignatureVerificationException malformed(String message) {
        return new SignatureVerificationException(Reason.MALFORMED_PAYLOAD, message);
    }

    private static String printable(String s) {
        String shown = s.length() > 100 ? s.substring(0, 100) + "…" : s;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
