package io.slipway.trust.cosign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.InvalidManifestException;
import io.slipway.oci.Manifest;
import io.slipway.oci.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The signatures of one image as cosign stores them: a manifest whose layers are simple-signing
 * payloads, one per signature, each carrying its signature in the layer annotation. Immutable:
 * {@link #add} returns a manifest with one more layer, which is how a second signer signs without
 * losing the first.
 *
 * <p>It is written in two forms. The tag form is stored at {@code sha256-<hex>.sig} in the image's
 * repository, with a config listing the layers as cosign and skopeo write it; every cosign-aware
 * tool finds it there. The referrer form (OCI 1.1) carries a {@code subject} pointing at the image
 * and {@code artifactType} {@value CosignFormat#SIGNATURE_ARTIFACT_TYPE}, with the empty config, so
 * the referrers API lists it. Both are read by {@link #parse}.
 */
public final class SignatureManifest {

    /** Payloads are a few hundred bytes; a descriptor claiming more is not read into memory. */
    public static final long MAX_PAYLOAD_BYTES = 1024 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);

    private final String mediaType;
    private final String configMediaType;
    private final List<Descriptor> layers;
    private final Map<Digest, byte[]> newPayloads;

    private SignatureManifest(String mediaType, String configMediaType, List<Descriptor> layers,
                              Map<Digest, byte[]> newPayloads) {
        this.mediaType = mediaType;
        this.configMediaType = configMediaType;
        this.layers = List.copyOf(layers);
        this.newPayloads = Map.copyOf(newPayloads);
    }

    /** A manifest with no signature yet: what to add to when the signature tag does not exist. */
    public static SignatureManifest empty() {
        return new SignatureManifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, List.of(), Map.of());
    }

    /**
     * Reads a stored signature manifest (either form). Layers of other media types are kept, so
     * that adding a signature never drops what another tool stored, but they are not signatures.
     *
     * @throws InvalidManifestException when the bytes are not an image manifest
     */
    public static SignatureManifest parse(byte[] manifest) {
        Manifest parsed = Manifest.parse(manifest, null);
        if (parsed.isIndex()) {
            throw new InvalidManifestException("a signature manifest is an image manifest, not an index");
        }
        String configType = parsed.config().mediaType();
        // A referrer's empty config is replaced by the tag form's config when re-written as a tag.
        if (MediaTypes.OCI_EMPTY.equals(configType) || CosignFormat.SIGNATURE_ARTIFACT_TYPE.equals(configType)) {
            configType = MediaTypes.OCI_CONFIG;
        }
        return new SignatureManifest(parsed.mediaType(), configType, parsed.layers(), Map.of());
    }

    /** Every layer, signature or not, in stored order. */
    public List<Descriptor> layers() {
        return layers;
    }

    /** The signature layers: simple-signing payloads. */
    public List<Descriptor> signatureLayers() {
        return layers.stream().filter(l -> CosignFormat.SIMPLE_SIGNING_MEDIA_TYPE.equals(l.mediaType())).toList();
    }

    /**
     * This manifest with {@code signature} appended as a new layer. A signature already present
     * (same payload, same signature) is not added twice, so retrying a sign step is harmless.
     */
    public SignatureManifest add(CosignSignature signature) {
        byte[] payload = signature.payload();
        Digest digest = Digest.sha256(payload);
        if (contains(digest, signature.base64Signature())) {
            return this;
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(CosignFormat.SIGNATURE_ANNOTATION, signature.base64Signature());
        annotations.putAll(signature.otherAnnotations());
        List<Descriptor> newLayers = new ArrayList<>(layers);
        newLayers.add(new Descriptor(CosignFormat.SIMPLE_SIGNING_MEDIA_TYPE, digest, payload.length,
                null, annotations, null, null));
        Map<Digest, byte[]> payloads = new HashMap<>(newPayloads);
        payloads.put(digest, payload);
        return new SignatureManifest(mediaType, configMediaType, newLayers, payloads);
    }

    private boolean contains(Digest payloadDigest, String base64Signature) {
        return signatureLayers().stream().anyMatch(l -> l.digest().equals(payloadDigest)
                && base64Signature.equals(l.annotations().get(CosignFormat.SIGNATURE_ANNOTATION)));
    }

    /**
     * The signatures, with their payloads read through {@code blobs}. A payload whose bytes do not
     * match its descriptor is refused here, before any verifier sees it.
     */
    public List<CosignSignature> signatures(BlobReader blobs) throws IOException {
        List<CosignSignature> signatures = new ArrayList<>();
        for (Descriptor layer : signatureLayers()) {
            if (layer.size() > MAX_PAYLOAD_BYTES) {
                throw new IOException("signature payload " + layer.digest() + " is " + layer.size()
                        + " bytes, more than a signature payload can be");
            }
            byte[] payload = newPayloads.containsKey(layer.digest()) ? newPayloads.get(layer.digest()) : blobs.read(layer);
            if (payload == null || payload.length != layer.size() || !layer.digest().matches(payload)) {
                throw new IOException("signature payload " + layer.digest() + " does not match its descriptor");
            }
            Map<String, String> others = new LinkedHashMap<>(layer.annotations());
            String signature = others.remove(CosignFormat.SIGNATURE_ANNOTATION);
            signatures.add(new CosignSignature(payload, signature == null ? "" : signature, others));
        }
        return signatures;
    }

    /** The tag form, to store at {@link CosignFormat#signatureTag} of {@code imageDigest}. */
    public SignatureArtifact toTagForm(Digest imageDigest) {
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "");
        config.put("os", "");
        config.putObject("config");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        // Payloads are stored uncompressed, so each layer's diff ID is its digest.
        layers.forEach(l -> diffIds.add(l.digest().toString()));
        byte[] configBytes = bytes(config);
        Descriptor configDescriptor = new Descriptor(configMediaType, Digest.sha256(configBytes), configBytes.length);

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", mediaType);
        manifest.set("config", descriptor(configDescriptor));
        ArrayNode layerArray = manifest.putArray("layers");
        layers.forEach(l -> layerArray.add(descriptor(l)));
        byte[] manifestBytes = bytes(manifest);
        return new SignatureArtifact(manifestBytes, mediaType, Digest.sha256(manifestBytes),
                CosignFormat.signatureTag(imageDigest), blobs(configDescriptor, configBytes));
    }

    /**
     * The OCI 1.1 referrer form, pointing at {@code subject} (the signed image's descriptor). It
     * is always an OCI manifest, since only that media type carries {@code subject}.
     */
    public SignatureArtifact toReferrerForm(Descriptor subject) {
        Objects.requireNonNull(subject, "subject");
        Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_EMPTY, Digest.sha256(EMPTY_CONFIG), EMPTY_CONFIG.length);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("artifactType", CosignFormat.SIGNATURE_ARTIFACT_TYPE);
        manifest.set("config", descriptor(configDescriptor));
        ArrayNode layerArray = manifest.putArray("layers");
        layers.forEach(l -> layerArray.add(descriptor(l)));
        manifest.set("subject", descriptor(new Descriptor(subject.mediaType(), subject.digest(), subject.size())));
        byte[] manifestBytes = bytes(manifest);
        return new SignatureArtifact(manifestBytes, MediaTypes.OCI_MANIFEST, Digest.sha256(manifestBytes), null,
                blobs(configDescriptor, EMPTY_CONFIG));
    }

    private List<SignatureArtifact.Blob> blobs(Descriptor config, byte[] configBytes) {
        List<SignatureArtifact.Blob> blobs = new ArrayList<>();
        blobs.add(new SignatureArtifact.Blob(config.digest(), config.mediaType(), configBytes));
        java.util.Set<Digest> listed = new java.util.HashSet<>();
        for (Descriptor layer : layers) {
            byte[] payload = newPayloads.get(layer.digest());
            // Two signers may sign identical payloads: one blob serves both layers.
            if (payload != null && listed.add(layer.digest())) {
                blobs.add(new SignatureArtifact.Blob(layer.digest(), layer.mediaType(), payload));
            }
        }
        return blobs;
    }

    private static ObjectNode descriptor(Descriptor d) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", d.mediaType());
        if (d.artifactType() != null) {
            node.put("artifactType", d.artifactType());
        }
        node.put("digest", d.digest().toString());
        node.put("size", d.size());
        if (!d.urls().isEmpty()) {
            ArrayNode urls = node.putArray("urls");
            d.urls().forEach(urls::add);
        }
        if (!d.annotations().isEmpty()) {
            // Sorted, as Go's encoder writes maps: the same manifest always gives the same bytes.
            ObjectNode annotations = node.putObject("annotations");
            new TreeMap<>(d.annotations()).forEach(annotations::put);
        }
        return node;
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
