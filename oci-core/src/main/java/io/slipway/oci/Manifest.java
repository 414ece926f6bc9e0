package io.slipway.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed image manifest or index (OCI or Docker schema 2), reduced to what a registry must know:
 * the descriptors it references and its {@code subject}. Parsing is strict about the parts a
 * registry relies on and lenient about the rest, as the specifications ask.
 *
 * @param mediaType the manifest's media type (from the document or, failing that, the request)
 * @param config    the config descriptor of an image manifest, null for an index
 * @param layers    layers of an image manifest (empty for an index)
 * @param manifests child manifests of an index (empty for an image manifest)
 */
public record Manifest(
        String mediaType,
        Descriptor config,
        List<Descriptor> layers,
        List<Descriptor> manifests,
        Descriptor subject,
        String artifactType,
        Map<String, String> annotations) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /**
     * The artifact type as the referrers API reports it: {@code artifactType}, else the config's
     * media type for an image manifest — but {@link ArtifactKind#TEKTON_BUNDLE_TYPE} for a Tekton
     * bundle, which names no type of its own and is known by its layers' annotations.
     */
    public String effectiveArtifactType() {
        if (artifactType != null) {
            return artifactType;
        }
        if (ArtifactKind.isTektonBundle(this)) {
            return ArtifactKind.TEKTON_BUNDLE_TYPE;
        }
        return config == null ? null : config.mediaType();
    }

    /** Every descriptor the registry must hold before accepting this manifest. */
    public List<Descriptor> requiredBlobs() {
        List<Descriptor> blobs = new ArrayList<>();
        if (config != null) {
            blobs.add(config);
        }
        for (Descriptor layer : layers) {
            if (!MediaTypes.NON_DISTRIBUTABLE_LAYERS.contains(layer.mediaType())) {
                blobs.add(layer);
            }
        }
        return blobs;
    }

    /**
     * Parses a manifest. {@code declaredType} is the request's Content-Type (may be null); when the
     * document names its own {@code mediaType} the two must agree.
     */
    public static Manifest parse(byte[] content, String declaredType) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            throw new InvalidManifestException("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidManifestException("manifest could not be read", e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidManifestException("manifest must be a JSON object");
        }
        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
            throw new InvalidManifestException("schemaVersion must be 2");
        }
        String declared = MediaTypes.strip(declaredType);
        String documentType = optionalText(root, "mediaType");
        String mediaType;
        if (documentType != null) {
            if (declared != null && !declared.isEmpty() && MediaTypes.MANIFESTS.contains(declared)
                    && !declared.equals(documentType)) {
                throw new InvalidManifestException("mediaType " + documentType
                        + " in the manifest does not match Content-Type " + declared);
            }
            mediaType = documentType;
        } else if (declared != null && MediaTypes.MANIFESTS.contains(declared)) {
            mediaType = declared;
        } else if (root.has("manifests")) {
            mediaType = MediaTypes.OCI_INDEX;
        } else if (root.has("config")) {
            mediaType = MediaTypes.OCI_MANIFEST;
        } else {
            throw new InvalidManifestException("cannot tell the manifest's media type");
        }
        if (!MediaTypes.MANIFESTS.contains(mediaType)) {
            throw new InvalidManifestException("unsupported manifest media type " + mediaType);
        }

        Descriptor subject = root.has("subject") ? descriptor(root.get("subject"), "subject") : null;
        String artifactType = optionalText(root, "artifactType");
        if (artifactType != null && !MediaTypes.isValid(artifactType)) {
            throw new InvalidManifestException("artifactType is not a media type");
        }
        Map<String, String> annotations = annotations(root.get("annotations"), "annotations");

        if (MediaTypes.isIndex(mediaType)) {
            if (root.has("config") || root.has("layers")) {
                throw new InvalidManifestException("an index has no config or layers");
            }
            List<Descriptor> children = descriptors(root.get("manifests"), "manifests", true);
            return new Manifest(mediaType, null, List.of(), children, subject, artifactType, annotations);
        }
        if (root.has("manifests")) {
            throw new InvalidManifestException("an image manifest has no manifests list");
        }
        JsonNode configNode = root.get("config");
        if (configNode == null) {
            throw new InvalidManifestException("config is missing");
        }
        Descriptor config = descriptor(configNode, "config");
        List<Descriptor> layers = descriptors(root.get("layers"), "layers", true);
        return new Manifest(mediaType, config, layers, List.of(), subject, artifactType, annotations);
    }

    private static List<Descriptor> descriptors(JsonNode node, String field, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw new InvalidManifestException(field + " is missing");
            }
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidManifestException(field + " must be an array");
        }
        List<Descriptor> list = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            list.add(descriptor(node.get(i), field + "[" + i + "]"));
        }
        return List.copyOf(list);
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidManifestException(where + " must be a descriptor object");
        }
        String mediaType = optionalText(node, "mediaType");
        if (!MediaTypes.isValid(mediaType)) {
            throw new InvalidManifestException(where + ".mediaType is missing or invalid");
        }
        String digestText = optionalText(node, "digest");
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (InvalidDigestException e) {
            throw new InvalidManifestException(where + ".digest: " + e.getMessage());
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw new InvalidManifestException(where + ".size must be a non-negative integer");
        }
        String artifactType = optionalText(node, "artifactType");
        Map<String, String> annotations = annotations(node.get("annotations"), where + ".annotations");
        List<String> urls = new ArrayList<>();
        JsonNode urlsNode = node.get("urls");
        if (urlsNode != null && !urlsNode.isNull()) {
            if (!urlsNode.isArray()) {
                throw new InvalidManifestException(where + ".urls must be an array");
            }
            urlsNode.forEach(u -> urls.add(u.asText()));
        }
        Descriptor.Platform platform = null;
        JsonNode p = node.get("platform");
        if (p != null && p.isObject()) {
            platform = new Descriptor.Platform(optionalText(p, "os"), optionalText(p, "architecture"),
                    optionalText(p, "variant"));
        }
        return new Descriptor(mediaType, digest, size.longValue(), artifactType, annotations, urls, platform);
    }

    private static Map<String, String> annotations(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidManifestException(where + " must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        var it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InvalidManifestException(where + "." + e.getKey() + " must be a string");
            }
            map.put(e.getKey(), e.getValue().textValue());
        }
        return map;
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidManifestException(field + " must be a string");
        }
        return v.textValue();
    }
}
