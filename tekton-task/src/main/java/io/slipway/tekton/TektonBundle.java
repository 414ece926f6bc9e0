package io.slipway.tekton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.slipway.oci.ArtifactKind;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.client.RegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The Tasks and Pipeline as a Tekton bundle, the OCI image Tekton's {@code bundles} resolver reads,
 * made as {@code tkn bundle push} makes one: one gzip'ed tar layer per resource, holding a single
 * file named after the resource with its JSON, each layer annotated with
 * {@code dev.tekton.image.apiVersion} (the version, {@code v1}), {@code dev.tekton.image.kind} (the
 * kind, lower case) and {@code dev.tekton.image.name}. Reproducible: no time stamps anywhere, so the
 * same files give the same digest. The registry tells it from an image by those annotations
 * ({@link ArtifactKind#TEKTON_BUNDLE}) and does not scan it.
 */
public final class TektonBundle {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /** Tekton's resolver reads at most this many resources from one bundle. */
    static final int MAX_RESOURCES = 20;

    /** One resource of the bundle: its layer's bytes and annotations. */
    public record Resource(String apiVersion, String kind, String name, byte[] layer) {
        public Digest digest() {
            return Digest.sha256(layer);
        }
    }

    private final List<Resource> resources;
    private final byte[] config;
    private final byte[] manifest;

    private TektonBundle(List<Resource> resources) throws IOException {
        this.resources = List.copyOf(resources);
        ObjectNode cfg = JSON.createObjectNode();
        // The config of an empty image (as tkn's is), its rootfs listing the uncompressed layers.
        cfg.put("architecture", "").put("os", "");
        cfg.putObject("config");
        ObjectNode rootfs = cfg.putObject("rootfs").put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        for (Resource r : resources) {
            diffIds.add(Digest.sha256(gunzip(r.layer())).toString());
        }
        this.config = JSON.writeValueAsBytes(cfg);
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
        m.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG).put("digest", Digest.sha256(config).toString())
                .put("size", config.length);
        ArrayNode layers = m.putArray("layers");
        for (Resource r : resources) {
            ObjectNode l = layers.addObject().put("mediaType", MediaTypes.OCI_LAYER_TAR_GZIP)
                    .put("digest", r.digest().toString()).put("size", r.layer().length);
            l.putObject("annotations").put(ArtifactKind.TEKTON_API_VERSION, r.apiVersion())
                    .put(ArtifactKind.TEKTON_KIND, r.kind()).put(ArtifactKind.TEKTON_NAME, r.name());
        }
        this.manifest = JSON.writeValueAsBytes(m);
    }

    /** The bundle of these Tekton YAML files, one resource each, in the order given. */
    public static TektonBundle of(List<Path> files) throws IOException {
        if (files.isEmpty() || files.size() > MAX_RESOURCES) {
            throw new IllegalArgumentException("a Tekton bundle holds 1 to " + MAX_RESOURCES + " resources, not " + files.size());
        }
        List<Resource> resources = new ArrayList<>();
        for (Path f : files) {
            JsonNode tree = YAML.readTree(f.toFile());
            String apiVersion = tree.path("apiVersion").asText("");
            String kind = tree.path("kind").asText("");
            String name = tree.path("metadata").path("name").asText("");
            if (!apiVersion.startsWith("tekton.dev/") || kind.isEmpty() || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
                throw new IllegalArgumentException(f + ": not a named tekton.dev resource");
            }
            if (resources.stream().anyMatch(r -> r.kind().equals(kind.toLowerCase(Locale.ROOT)) && r.name().equals(name))) {
                throw new IllegalArgumentException(f + ": a second " + kind + " named " + name);
            }
            resources.add(new Resource(apiVersion.substring(apiVersion.indexOf('/') + 1), kind.toLowerCase(Locale.ROOT), name,
                    layer(name, JSON.writeValueAsBytes(tree))));
        }
        return new TektonBundle(resources);
    }

    public List<Resource> resources() {
        return resources;
    }

    public byte[] manifest() {
        return manifest;
    }

    public Digest digest() {
        return Digest.sha256(manifest);
    }

    /** Pushes config, layers and manifest to {@code repository:tag}; returns the manifest's digest. */
    public Digest push(RegistryClient registry, String repository, String tag) throws IOException {
        registry.uploadBlob(repository, config);
        for (Resource r : resources) {
            registry.uploadBlob(repository, r.layer());
        }
        return registry.putManifest(repository, tag, manifest, MediaTypes.OCI_MANIFEST);
    }

    /** A tar of one file, {@code name}, mode 0600 as tkn writes it, no time stamp; gzip'ed with no time stamp either. */
    private static byte[] layer(String name, byte[] content) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setMode(0100600);
            entry.setSize(content.length);
            entry.setModTime(0);
            // no owner of the building machine in the layer (the default would name the user)
            entry.setIds(0, 0);
            entry.setUserName("");
            entry.setGroupName("");
            out.putArchiveEntry(entry);
            out.write(content);
            out.closeArchiveEntry();
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        // java.util.zip writes a header with no time stamp and no name: the same bytes every time.
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar.toByteArray());
        }
        return gz.toByteArray();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Override
    public String toString() {
        return "TektonBundle" + resources.stream().map(r -> r.kind() + "/" + r.name()).toList();
    }
}
